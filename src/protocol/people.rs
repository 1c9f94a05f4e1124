//! Objects of the people endpoints: the registration policy, invites and
//! reset links.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::views::timestamp;
use super::UserJson;
use crate::config::{Registration, Switch};
use crate::domain::Invite;

/// `GET /auth/policy`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Policy)]
pub struct PolicyJson {
    pub registration: Registration,
    pub guests: Switch,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Invite)]
pub struct InviteJson {
    pub code: String,
    pub url: String,
    pub max_uses: Option<i64>,
    pub uses: i64,
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    pub created_by: UserJson,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl InviteJson {
    /// `origin`: this server as browsers reach it; the link opens the web
    /// UI's sign-up with the code filled in.
    pub fn new(invite: &Invite, origin: &str) -> InviteJson {
        InviteJson {
            url: format!("{origin}/#/invite/{}", invite.code),
            code: invite.code.clone(),
            max_uses: invite.max_uses,
            uses: invite.uses,
            expires_at: invite.expires_at.as_ref().map(timestamp),
            created_by: UserJson::new(&invite.created_by, false),
            created_at: timestamp(&invite.created_at),
        }
    }
}

/// `POST /users/{id}/reset-link`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ResetLink)]
pub struct ResetLinkJson {
    pub url: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

impl ResetLinkJson {
    pub fn new(origin: &str, token: &str, expires_at: &DateTime<Utc>) -> ResetLinkJson {
        ResetLinkJson {
            url: format!("{origin}/#/reset/{token}"),
            expires_at: timestamp(expires_at),
        }
    }
}
