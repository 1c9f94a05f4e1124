//! The contract's chat and message objects. They serialize to exactly the
//! JSON of API.md, so REST answers and WebSocket frames share one shape.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use super::{MemberRole, User};

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-26T09:41:07.123Z`.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn ser_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&timestamp(t))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sender {
    pub id: i64,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub chat_id: i64,
    pub sender: Sender,
    pub body: String,
    pub client_id: Option<String>,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatKind {
    Group,
    Direct,
}

impl ChatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatKind::Group => "group",
            ChatKind::Direct => "direct",
        }
    }
}

/// A member as `GET /chats/{id}` lists it: the user object plus its role in the chat.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub id: i64,
    pub username: String,
    pub role: &'static str,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    pub chat_role: &'static str,
}

impl MemberView {
    pub fn new(user: &User, chat_role: MemberRole) -> MemberView {
        MemberView {
            id: user.id,
            username: user.username.clone(),
            role: user.role.as_str(),
            created_at: user.created_at,
            chat_role: chat_role.as_str(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Chat {
    pub id: i64,
    pub name: String,
    pub kind: ChatKind,
    pub public: bool,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    pub owner_id: Option<i64>,
    pub members_count: i64,
    pub my_role: Option<&'static str>,
    pub last_message: Option<Message>,
    pub unread: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberView>>,
}

/// The contract's user object.
#[derive(Debug, Clone, Serialize)]
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
