use chrono::{DateTime, Utc};

use super::{Role, UserId};

/// An account as the rest of the application sees it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    /// `None` for guests.
    pub email: Option<String>,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// `None` or 1–64 characters.
    pub display_name: Option<String>,
    /// The upload holding the cropped 256 px avatar.
    pub avatar_upload_id: Option<i64>,
    pub disabled: bool,
}
