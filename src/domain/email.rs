use super::{char_len, Invalid};

/// `local@domain` with a dot in the domain, no spaces, at most 254
/// characters, normalised to lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Invalid> {
        if char_len(raw) > 254 {
            return Err(Invalid("must be at most 254 characters"));
        }
        if raw.chars().any(char::is_whitespace) {
            return Err(Invalid("must not contain spaces"));
        }
        if raw.chars().any(char::is_control) {
            return Err(Invalid("must not contain control characters"));
        }
        let Some((local, domain)) = raw.split_once('@') else {
            return Err(Invalid("must look like name@example.com"));
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(Invalid("must look like name@example.com"));
        }
        Ok(Email(raw.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_lower_case() {
        assert_eq!(
            Email::parse("Ann@Example.COM").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn requires_local_part_and_dotted_domain() {
        for bad in [
            "ann",
            "@example.com",
            "ann@example",
            "ann@.com",
            "ann@example.",
            "a@b@c.d",
            "ann@ex..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn refuses_spaces_and_overlong_addresses() {
        assert!(Email::parse("ann smith@example.com").is_err());
        let long = format!("{}@example.com", "a".repeat(243));
        assert_eq!(long.len(), 255);
        assert!(Email::parse(&long).is_err());
        assert!(Email::parse(&long[1..]).is_ok());
    }
}
