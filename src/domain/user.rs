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
}
