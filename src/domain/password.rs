use super::{char_len, Invalid};

/// 8–128 characters with at least one letter and one digit 0–9. Its `Debug`
/// never shows the value, so it cannot leak through a log line.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Password, Invalid> {
        if !(8..=128).contains(&char_len(raw)) {
            return Err(Invalid("must be 8 to 128 characters"));
        }
        if !raw.chars().any(char::is_alphabetic) || !raw.chars().any(|c| c.is_ascii_digit()) {
            return Err(Invalid("must contain at least one letter and one digit"));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_letter_and_a_digit() {
        assert!(Password::parse("abcdefgh").is_err());
        assert!(Password::parse("12345678").is_err());
        assert!(Password::parse("abcdefg1").is_ok());
        assert!(Password::parse("ääääääää1").is_ok());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 7 two-byte characters + 1 digit = 8 characters, 15 bytes.
        assert!(Password::parse("ééééééé1").is_ok());
        assert!(Password::parse("éééééé1").is_err());
        assert!(Password::parse(&format!("{}1", "é".repeat(127))).is_ok());
        assert!(Password::parse(&format!("{}1", "é".repeat(128))).is_err());
    }

    #[test]
    fn debug_hides_the_value() {
        let p = Password::parse("secret123").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}
