//! Joining, leaving, adding and removing members, deleting chats.

use actix::{Handler, Message};

use super::{chat_view, resolve_users, visible, ChatStore};
use crate::actors::{ServiceError, ServiceResult};
use crate::db::cascade::{self, Departure};
use crate::db::{chats, members, now, users};
use crate::domain::{ChatId, ChatKind, MemberRole, User, UserId};
use crate::protocol::Chat;

/// Join a public chat (a no-op for a member).
#[derive(Message)]
#[rtype(result = "ServiceResult<Chat>")]
pub struct Join {
    pub caller: UserId,
    pub chat_id: ChatId,
}

#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct Leave {
    pub caller: UserId,
    pub chat_id: ChatId,
}

/// Add a member (owner or admin only).
#[derive(Message)]
#[rtype(result = "ServiceResult<Chat>")]
pub struct AddMember {
    pub caller: UserId,
    pub is_admin: bool,
    pub chat_id: ChatId,
    pub username: String,
}

/// Remove a member (owner or admin only).
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct RemoveMember {
    pub caller: UserId,
    pub is_admin: bool,
    pub chat_id: ChatId,
    pub username: String,
}

/// Delete a chat (owner or admin only).
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct DeleteChat {
    pub caller: UserId,
    pub is_admin: bool,
    pub chat_id: ChatId,
}

impl ChatStore {
    /// Owner-only operations: 404 if the caller cannot see the chat, 403 if
    /// it can but does not own it (admins may do anything).
    fn require_owner(
        &self,
        conn: &mut crate::db::DbConn,
        caller: UserId,
        is_admin: bool,
        chat_id: ChatId,
    ) -> ServiceResult<chats::ChatRow> {
        let (chat, member) = visible(conn, chat_id, caller, true, is_admin)?;
        let owner = member.is_some_and(|m| m.role() == MemberRole::Owner);
        if !owner && !is_admin {
            return Err(ServiceError::Forbidden("only the chat's owner may do this"));
        }
        Ok(chat)
    }
}

impl Handler<Join> for ChatStore {
    type Result = ServiceResult<Chat>;

    fn handle(&mut self, msg: Join, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let (chat, member) = visible(&mut conn, msg.chat_id, msg.caller, true, false)?;
        if member.is_none() {
            if !chat.is_public() {
                return Err(ServiceError::NotFound("no such chat"));
            }
            if members::add(&mut conn, chat.id, msg.caller, MemberRole::Member, now())? {
                self.announce_added(&mut conn, chat.id, &[msg.caller])?;
                let user = users::find(&mut conn, msg.caller)?
                    .ok_or(ServiceError::NotFound("no such user"))?;
                self.announce_members(&mut conn, chat.id, &[User::try_from(user)?], &[])?;
            }
        }
        chat_view(&mut conn, chat, msg.caller, false, &self.urls)
    }
}

impl Handler<Leave> for ChatStore {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: Leave, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        match cascade::remove_member(&mut conn, msg.chat_id, msg.caller)? {
            Departure::NotMember => Err(ServiceError::NotFound("not a member of this chat")),
            departure => {
                self.announce.departed(msg.chat_id, msg.caller, departure);
                self.announce_members(&mut conn, msg.chat_id, &[], &[msg.caller])?;
                Ok(())
            }
        }
    }
}

impl Handler<AddMember> for ChatStore {
    type Result = ServiceResult<Chat>;

    fn handle(&mut self, msg: AddMember, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let chat = self.require_owner(&mut conn, msg.caller, msg.is_admin, msg.chat_id)?;
        if chat.kind() == ChatKind::Direct {
            return Err(ServiceError::Forbidden(
                "direct chats have exactly two members",
            ));
        }
        let user = resolve_users(&mut conn, std::slice::from_ref(&msg.username))?.remove(0);
        if members::find(&mut conn, chat.id, user.id)?.is_none() {
            self.check_consent(&mut conn, msg.caller, msg.is_admin, &[user.id])?;
        }
        if members::add(&mut conn, chat.id, user.id, MemberRole::Member, now())? {
            self.announce_added(&mut conn, chat.id, &[user.id])?;
            self.announce_members(&mut conn, chat.id, &[User::try_from(user)?], &[])?;
        }
        chat_view(&mut conn, chat, msg.caller, false, &self.urls)
    }
}

impl Handler<RemoveMember> for ChatStore {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: RemoveMember, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let chat = self.require_owner(&mut conn, msg.caller, msg.is_admin, msg.chat_id)?;
        let lower = msg.username.to_ascii_lowercase();
        let user = crate::db::users::find_by_username(&mut conn, &lower)?
            .ok_or(ServiceError::NotFound("not a member of this chat"))?;
        match cascade::remove_member(&mut conn, chat.id, user.id)? {
            Departure::NotMember => Err(ServiceError::NotFound("not a member of this chat")),
            departure => {
                self.announce.departed(chat.id, user.id, departure);
                self.announce_members(&mut conn, chat.id, &[], &[user.id])?;
                Ok(())
            }
        }
    }
}

impl Handler<DeleteChat> for ChatStore {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: DeleteChat, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let chat = self.require_owner(&mut conn, msg.caller, msg.is_admin, msg.chat_id)?;
        let member_ids = members::user_ids(&mut conn, chat.id)?;
        chats::delete(&mut conn, chat.id)?;
        self.announce.deleted(chat.id, member_ids);
        Ok(())
    }
}
