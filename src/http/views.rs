//! JSON shapes of the contract's objects.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::actors::auth::Session;
use crate::domain::User;

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-26T09:41:07.123Z`.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Serialize)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    pub role: &'static str,
    pub created_at: String,
}

impl UserJson {
    /// `show_email`: only the user itself and admins see the address.
    pub fn new(user: &User, show_email: bool) -> UserJson {
        UserJson {
            id: user.id,
            username: user.username.clone(),
            email: show_email.then(|| user.email.clone()),
            role: user.role.as_str(),
            created_at: timestamp(&user.created_at),
        }
    }
}

#[derive(Serialize)]
pub struct SessionJson {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserJson,
}

impl SessionJson {
    pub fn new(session: &Session) -> SessionJson {
        SessionJson {
            access_token: session.access_token.clone(),
            token_type: "Bearer",
            expires_in: session.expires_in,
            user: UserJson::new(&session.user, true),
        }
    }
}
