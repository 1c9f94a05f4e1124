use serde::Serialize;

use super::{char_len, is_unsafe_char, Invalid};

/// 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatName(String);

impl ChatName {
    /// Unsafe characters ([`is_unsafe_char`]) are dropped, not refused.
    pub fn parse(raw: &str) -> Result<ChatName, Invalid> {
        let cleaned: String = raw.chars().filter(|&c| !is_unsafe_char(c)).collect();
        let trimmed = cleaned.trim();
        if !(1..=100).contains(&char_len(trimmed)) {
            return Err(Invalid("must be 1 to 100 characters"));
        }
        Ok(ChatName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 1–4000 characters after trimming; stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(raw: &str) -> Result<MessageBody, Invalid> {
        let trimmed = raw.trim();
        if !(1..=4000).contains(&char_len(trimmed)) {
            return Err(Invalid("must be 1 to 4000 characters"));
        }
        if trimmed.chars().any(is_unsafe_char) {
            return Err(Invalid(
                "must not contain control characters (other than newline and tab) or bidi overrides",
            ));
        }
        Ok(MessageBody(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The sender's idempotency key: at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    pub fn parse(raw: &str) -> Result<ClientId, Invalid> {
        if raw.is_empty() || char_len(raw) > 64 {
            return Err(Invalid("must be 1 to 64 characters"));
        }
        Ok(ClientId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member's standing inside one chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Owner,
    Member,
}

/// A group chat (any number of members, an owner) or the direct chat of two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatKind {
    Group,
    Direct,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_names_are_trimmed_and_bounded() {
        assert_eq!(ChatName::parse("  team  ").unwrap().as_str(), "team");
        assert!(ChatName::parse("   ").is_err());
        assert!(ChatName::parse(&"é".repeat(100)).is_ok());
        assert!(ChatName::parse(&"é".repeat(101)).is_err());
    }

    #[test]
    fn bodies_count_characters_after_trimming() {
        assert!(MessageBody::parse(" \n ").is_err());
        assert_eq!(MessageBody::parse(" hi \n").unwrap().as_str(), "hi");
        assert!(MessageBody::parse(&"😀".repeat(4000)).is_ok());
        assert!(MessageBody::parse(&"😀".repeat(4001)).is_err());
        assert!(MessageBody::parse(&format!("  {}  ", "a".repeat(4000))).is_ok());
    }

    #[test]
    fn client_ids_are_at_most_64_characters() {
        assert!(ClientId::parse(&"x".repeat(64)).is_ok());
        assert!(ClientId::parse(&"x".repeat(65)).is_err());
        assert!(ClientId::parse("").is_err());
    }
}
