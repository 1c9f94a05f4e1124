use super::{char_len, Invalid};

/// 3–32 characters of `[A-Za-z0-9_.-]`, stored as typed, compared lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, Invalid> {
        let len = char_len(raw);
        if !(3..=32).contains(&len) {
            return Err(Invalid("must be 3 to 32 characters"));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if !raw.chars().all(allowed) {
            return Err(Invalid(
                "may contain only letters, digits, '_', '.' and '-'",
            ));
        }
        if raw.to_ascii_lowercase().starts_with("guest-") {
            return Err(Invalid(
                "names starting with 'guest-' are reserved for guests",
            ));
        }
        Ok(Username(raw.to_owned()))
    }

    /// The key uniqueness and lookups use.
    pub fn lower(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet_and_keeps_case() {
        let name = Username::parse("Alice_B.c-9").unwrap();
        assert_eq!(name.as_str(), "Alice_B.c-9");
        assert_eq!(name.lower(), "alice_b.c-9");
    }

    #[test]
    fn enforces_length_bounds() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn refuses_spaces_symbols_and_non_ascii() {
        for bad in ["bob smith", "bob@x", "bób", "a/b", "", "  abc"] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
