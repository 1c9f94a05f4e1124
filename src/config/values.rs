//! Typed values of flags: signing algorithms, sign-up and add policies,
//! secrets that are never printed, and public origins.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtAlgorithm {
    #[value(name = "HS256")]
    Hs256,
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "EdDSA")]
    EdDsa,
}

/// Who may create an account (`--registration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Anyone who finds the server.
    Open,
    /// Only with an invite code.
    Invite,
    /// Nobody.
    Closed,
}

/// `on` or `off`, as the flags spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

/// Whom users may add to chats (`--add-policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AddPolicy {
    Anyone,
    /// Only people they already share a chat with or who accepted their invite.
    Shared,
}

/// A value that must never be printed (Debug shows `***`).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < 32 {
            return Err("must be at least 32 bytes".into());
        }
        Ok(Secret(s.to_owned()))
    }
}

/// Accepts `scheme://host[:port]` with an optional trailing slash.
pub(super) fn parse_origin(s: &str) -> Result<String, String> {
    let trimmed = s.trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err("must look like https://chat.example.com".into());
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
        return Err("must be http(s)://host[:port] with no path".into());
    }
    Ok(trimmed.to_ascii_lowercase())
}
