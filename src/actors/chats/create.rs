//! Creating group chats and opening direct chats.

use actix::{Handler, Message};

use super::{chat_view, resolve_users, ChatStore};
use crate::actors::{ServiceError, ServiceResult};
use crate::db::chats::{self, NewChat};
use crate::db::{members, now, users, DbError};
use crate::domain::{ChatKind, ChatName, MemberRole, UserId};
use crate::protocol::Chat;

/// Create a group chat owned by `caller` with the named members.
#[derive(Message)]
#[rtype(result = "ServiceResult<Chat>")]
pub struct CreateChat {
    pub caller: UserId,
    /// Admins are not bound by `--add-policy`.
    pub is_admin: bool,
    pub name: ChatName,
    pub members: Vec<String>,
    pub public: bool,
}

/// The direct chat between `caller` and `username`; `true` when created now.
#[derive(Message)]
#[rtype(result = "ServiceResult<(Chat, bool)>")]
pub struct OpenDirect {
    pub caller: UserId,
    pub is_admin: bool,
    pub username: String,
}

impl Handler<CreateChat> for ChatStore {
    type Result = ServiceResult<Chat>;

    fn handle(&mut self, msg: CreateChat, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let mut names = msg.members.clone();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        names.dedup_by_key(|n| n.to_ascii_lowercase());
        let invited = resolve_users(&mut conn, &names)?;
        let mut member_ids: Vec<UserId> = vec![msg.caller];
        member_ids.extend(invited.iter().map(|u| u.id).filter(|id| *id != msg.caller));
        self.check_consent(&mut conn, msg.caller, msg.is_admin, &member_ids)?;
        let chat = crate::db::write_transaction::<_, ServiceError, _>(&mut conn, |conn| {
            let at = now();
            let chat = chats::create(
                conn,
                &NewChat {
                    name: msg.name.as_str(),
                    kind: ChatKind::Group,
                    public: msg.public,
                    owner_id: Some(msg.caller),
                    direct_key: None,
                    created_at: at,
                },
            )?;
            for &id in &member_ids {
                let role = if id == msg.caller {
                    MemberRole::Owner
                } else {
                    MemberRole::Member
                };
                members::add(conn, chat.id, id, role, at)?;
            }
            Ok(chat)
        })?;
        let chat_id = chat.id;
        let view = chat_view(&mut conn, chat, msg.caller, false, &self.urls)?;
        self.announce_added(&mut conn, chat_id, &member_ids)?;
        Ok(view)
    }
}

impl Handler<OpenDirect> for ChatStore {
    type Result = ServiceResult<(Chat, bool)>;

    fn handle(&mut self, msg: OpenDirect, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let other = resolve_users(&mut conn, std::slice::from_ref(&msg.username))?.remove(0);
        if other.id == msg.caller {
            return Err(ServiceError::Invalid(
                "username",
                "cannot open a direct chat with yourself",
            ));
        }
        // Also for an existing direct chat: someone who blocked you is not
        // opened to you again.
        self.check_consent(&mut conn, msg.caller, msg.is_admin, &[other.id])?;
        let me = users::find(&mut conn, msg.caller)?
            .ok_or(ServiceError::Unauthorized("account no longer exists"))?;
        let key = format!("{}:{}", msg.caller.min(other.id), msg.caller.max(other.id));
        if let Some(chat) = chats::find_direct(&mut conn, &key)? {
            // Someone who left a direct chat comes back to it, history intact.
            let chat_id = chat.id;
            if members::add(&mut conn, chat_id, msg.caller, MemberRole::Member, now())? {
                self.announce_added(&mut conn, chat_id, &[msg.caller])?;
            }
            return Ok((
                chat_view(&mut conn, chat, msg.caller, false, &self.urls)?,
                false,
            ));
        }
        let created = crate::db::write_transaction::<_, DbError, _>(&mut conn, |conn| {
            let at = now();
            let chat = chats::create(
                conn,
                &NewChat {
                    name: &format!("{}, {}", me.username, other.username),
                    kind: ChatKind::Direct,
                    public: false,
                    owner_id: None,
                    direct_key: Some(&key),
                    created_at: at,
                },
            )?;
            members::add(conn, chat.id, msg.caller, MemberRole::Member, at)?;
            members::add(conn, chat.id, other.id, MemberRole::Member, at)?;
            Ok(chat)
        });
        match created {
            Ok(chat) => {
                let chat_id = chat.id;
                let view = chat_view(&mut conn, chat, msg.caller, false, &self.urls)?;
                self.announce_added(&mut conn, chat_id, &[msg.caller, other.id])?;
                Ok((view, true))
            }
            // The other side opened it at the same moment: theirs is ours.
            Err(DbError::UniqueViolation(_)) => {
                let chat = chats::find_direct(&mut conn, &key)?
                    .ok_or(ServiceError::NotFound("no such chat"))?;
                Ok((
                    chat_view(&mut conn, chat, msg.caller, false, &self.urls)?,
                    false,
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
}
