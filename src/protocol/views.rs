//! The contract's objects (user, chat, member, message, the login answer).
//! They serialize to exactly the JSON of API.md, so REST answers and
//! WebSocket frames share one shape.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use serde_json::Value;

use super::{Attachment, ErrorCode};
use crate::domain::{ChatId, ChatKind, MemberRole, MessageId, Role, User, UserId};

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-26T09:41:07.123Z`.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn ser_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&timestamp(t))
}

fn ser_opt_time<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&timestamp(t)),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Sender {
    pub id: UserId,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub chat_id: ChatId,
    pub sender: Sender,
    pub body: String,
    pub client_id: Option<String>,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    /// In the order the sender listed them; `[]` for none.
    pub attachments: Vec<Attachment>,
    #[serde(serialize_with = "ser_opt_time")]
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub reply_to: Option<ReplyTo>,
    pub reactions: Vec<Reaction>,
    pub mentions: Vec<UserId>,
    pub version: i64,
}

/// The quoted original of a reply; `body` cut to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReplyTo {
    pub id: MessageId,
    pub sender: Sender,
    pub body: String,
    pub deleted: bool,
}

/// One emoji on a message and who reacted with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reaction {
    pub emoji: String,
    pub user_ids: Vec<UserId>,
}

/// A search hit: the message and where the query matched its body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub message: Message,
    /// `[start, end)` offsets in Unicode scalar values into `message.body`.
    #[schema(value_type = Vec<Vec<u64>>)]
    pub matches: Vec<[usize; 2]>,
}

/// A member as `GET /chats/{id}` lists it: the user object plus its role in the chat.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Member)]
pub struct MemberView {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub chat_role: MemberRole,
}

impl MemberView {
    pub fn new(user: &User, chat_role: MemberRole) -> MemberView {
        MemberView {
            id: user.id,
            username: user.username.clone(),
            role: user.role,
            created_at: user.created_at,
            display_name: user.display_name.clone(),
            avatar_url: user.avatar_upload_id.map(avatar_url),
            chat_role,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Chat {
    pub id: ChatId,
    pub name: String,
    pub kind: ChatKind,
    pub public: bool,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    pub owner_id: Option<UserId>,
    pub members_count: i64,
    pub my_role: Option<MemberRole>,
    pub last_message: Option<Message>,
    pub unread: i64,
    /// Unread messages that mention the viewer.
    pub mentions: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberView>>,
    /// Members online now (`GET /chats/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_count: Option<usize>,
}

/// The contract's user object.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserJson {
    pub id: UserId,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<String>>,
    pub role: Role,
    #[serde(serialize_with = "ser_time")]
    pub created_at: DateTime<Utc>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    /// Only in what admins see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// Where a user's avatar (an upload id) is served; no signature, so user
/// objects can be serialized without the file-URL key.
pub fn avatar_url(upload_id: i64) -> String {
    format!("/api/v1/avatars/{upload_id}")
}

impl UserJson {
    /// `show_email`: only the user itself and admins see the address.
    pub fn new(user: &User, show_email: bool) -> UserJson {
        UserJson {
            id: user.id,
            username: user.username.clone(),
            email: show_email.then(|| user.email.clone()),
            role: user.role,
            created_at: user.created_at,
            display_name: user.display_name.clone(),
            avatar_url: user.avatar_upload_id.map(avatar_url),
            disabled: None,
        }
    }

    /// What an admin sees: the email and whether the account is disabled.
    pub fn for_admin(user: &User) -> UserJson {
        UserJson {
            disabled: Some(user.disabled),
            ..UserJson::new(user, true)
        }
    }

    /// The admin view for admins, else the public one (`self_view`: the
    /// user itself, who sees its own email).
    pub fn seen_by(user: &User, admin: bool, self_view: bool) -> UserJson {
        if admin {
            UserJson::for_admin(user)
        } else {
            UserJson::new(user, self_view)
        }
    }
}

/// The answer to login, guest and refresh (the refresh token itself travels
/// only in the cookie).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Login)]
pub struct LoginJson<'a> {
    pub access_token: &'a str,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserJson,
}

impl<'a> LoginJson<'a> {
    pub fn new(access_token: &'a str, expires_in: i64, user: &User) -> LoginJson<'a> {
        LoginJson {
            access_token,
            token_type: "Bearer",
            expires_in,
            user: UserJson::new(user, true),
        }
    }
}

/// Every non-2xx HTTP answer's body: `{"error": {"code", "message", "details"?}}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorJson<'a> {
    error: ErrorFields<'a>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ErrorFields)]
struct ErrorFields<'a> {
    code: ErrorCode,
    message: &'a str,
    /// E.g. `fields` (field → reason), `usernames`, `reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    details: Option<&'a Value>,
}

impl<'a> ErrorJson<'a> {
    pub fn new(code: ErrorCode, message: &'a str, details: Option<&'a Value>) -> ErrorJson<'a> {
        ErrorJson {
            error: ErrorFields {
                code,
                message,
                details,
            },
        }
    }
}
