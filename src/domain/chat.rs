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

    /// As [`parse`](Self::parse), except that a message carrying
    /// attachments may have an empty body (a photo without a caption).
    pub fn parse_with(raw: &str, has_attachments: bool) -> Result<MessageBody, Invalid> {
        if has_attachments && raw.trim().is_empty() {
            return Ok(MessageBody(String::new()));
        }
        Self::parse(raw)
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
        if raw.chars().any(char::is_control) {
            return Err(Invalid("must not contain control characters"));
        }
        Ok(ClientId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The uploads a message carries: at most [`MAX_ATTACHMENTS`], each listed
/// once. Whose they are and whether they are free is for the store to say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentIds(Vec<i64>);

pub const MAX_ATTACHMENTS: usize = 10;

impl AttachmentIds {
    pub fn parse(raw: Option<&[i64]>) -> Result<AttachmentIds, Invalid> {
        let ids = raw.unwrap_or_default();
        if ids.len() > MAX_ATTACHMENTS {
            return Err(Invalid("at most 10 attachments"));
        }
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(Invalid("an upload may be attached only once"));
            }
        }
        Ok(AttachmentIds(ids.to_vec()))
    }

    pub fn as_slice(&self) -> &[i64] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A member's standing inside one chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Owner,
    Member,
}

/// A group chat (any number of members, an owner) or the direct chat of two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
    fn a_body_may_be_empty_only_with_attachments() {
        assert!(MessageBody::parse_with("  ", false).is_err());
        assert_eq!(MessageBody::parse_with(" \n", true).unwrap().as_str(), "");
        assert_eq!(
            MessageBody::parse_with(" hi ", true).unwrap().as_str(),
            "hi"
        );
        assert!(MessageBody::parse_with(&"a".repeat(4001), true).is_err());
    }

    #[test]
    fn attachments_are_at_most_ten_each_listed_once() {
        assert!(AttachmentIds::parse(None).unwrap().is_empty());
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(
            AttachmentIds::parse(Some(&ten)).unwrap().as_slice(),
            &ten[..]
        );
        let eleven: Vec<i64> = (1..=11).collect();
        assert!(AttachmentIds::parse(Some(&eleven)).is_err());
        assert!(AttachmentIds::parse(Some(&[3, 4, 3])).is_err());
    }

    #[test]
    fn client_ids_are_at_most_64_characters() {
        assert!(ClientId::parse(&"x".repeat(64)).is_ok());
        assert!(ClientId::parse(&"x".repeat(65)).is_err());
        assert!(ClientId::parse("").is_err());
    }
}
