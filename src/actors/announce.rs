//! Telling everyone concerned that a membership changed, once the change
//! is committed: the user's sessions and presence (through the hub, which
//! also tells the other instances) and the chat's room. A leave, a removal
//! and an account deletion announce a departure the same way. Deletions
//! also wake the upload sweep, which deletes the files that went with them.

use std::sync::Arc;

use actix::Addr;

use super::hub::{ChatAdded, ChatRemoved, CloseUser, Hub, Resized};
use super::room::{Close, DetachUser};
use super::rooms::Rooms;
use super::scopes::Scopes;
use super::uploads::SweepSignal;
use crate::db::cascade::Departure;
use crate::db::{chats, members, DbConn, DbError};
use crate::domain::{ChatId, User, UserId};
use crate::protocol::{close, Chat, ServerFrame, UserJson};

#[derive(Clone)]
pub struct Announcer {
    hub: Addr<Hub>,
    rooms: Rooms,
    sweep: SweepSignal,
    scopes: Arc<Scopes>,
}

impl Announcer {
    pub fn new(hub: Addr<Hub>, rooms: Rooms, sweep: SweepSignal, scopes: Arc<Scopes>) -> Announcer {
        Announcer {
            hub,
            rooms,
            sweep,
            scopes,
        }
    }

    /// Which chats carry presence (the chat store fills in sizes it counts).
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// The chat has `members_count` members now: presence follows (on
    /// every instance, through the hub).
    pub fn resized(&self, chat_id: ChatId, members_count: i64) {
        self.hub.do_send(Resized {
            chat_id,
            members_count,
        });
    }

    /// `user_id` is now a member of `chat` (the chat as they see it): their
    /// sessions get `chat_added` and attach.
    pub fn joined(&self, user_id: UserId, chat: Chat) {
        self.hub.do_send(ChatAdded { user_id, chat });
    }

    /// `user_id` left `chat_id` (leave, removal, account deletion): their
    /// sessions get `chat_removed` and detach; a chat left empty closes and
    /// its followers get `chat_removed` too.
    pub fn departed(&self, chat_id: ChatId, user_id: UserId, departure: Departure) {
        if departure == Departure::NotMember {
            return;
        }
        self.hub.do_send(ChatRemoved { user_id, chat_id });
        if let Some(room) = self.rooms.existing(chat_id) {
            room.do_send(DetachUser { user_id });
            if departure == Departure::ChatDeleted {
                room.do_send(Close { remote: false });
            }
        }
        if departure == Departure::ChatDeleted {
            self.sweep.wake();
        }
    }

    /// Tells every session attached to the chat (members and followers, on
    /// every instance) who joined or left and who owns it now
    /// (`members_changed`), once the change is committed; presence follows
    /// the new size.
    pub fn members_changed(
        &self,
        conn: &mut DbConn,
        chat_id: ChatId,
        added: &[User],
        removed: &[UserId],
    ) -> Result<(), DbError> {
        let Some(chat) = chats::find(conn, chat_id)? else {
            return Ok(());
        };
        let members_count = members::counts(conn, &[chat_id])?
            .first()
            .map_or(0, |c| c.1);
        let added: Vec<UserJson> = added.iter().map(|u| UserJson::new(u, false)).collect();
        let frame = ServerFrame::MembersChanged {
            chat_id,
            members_count,
            owner_id: chat.owner_id(),
            added: &added,
            removed,
        };
        self.rooms.broadcast(chat_id, frame.encode());
        self.resized(chat_id, members_count);
        Ok(())
    }

    /// The account is gone: its sessions close with 4003 (first, so they
    /// are not sent `chat_removed` for each chat on the way out), then it
    /// departs from every chat it was in, as if it had left each: the
    /// remaining members get `members_changed`.
    pub fn account_deleted(
        &self,
        conn: &mut DbConn,
        user_id: UserId,
        departures: Vec<(ChatId, Departure)>,
    ) {
        self.hub.do_send(CloseUser {
            user_id,
            code: close::REVOKED,
            reason: "account deleted",
        });
        for (chat_id, departure) in departures {
            self.departed(chat_id, user_id, departure);
            if let Departure::Left { .. } = departure {
                // The deletion is committed: a failure here costs only the
                // notice (clients see the count on their next load).
                if let Err(e) = self.members_changed(conn, chat_id, &[], &[user_id]) {
                    log::warn!("members_changed for chat {chat_id} after a deletion: {e}");
                }
            }
        }
        self.sweep.wake();
    }

    /// An admin disabled the account: its sessions close with 4003 (on
    /// every instance, through the hub). Its memberships stay.
    pub fn account_disabled(&self, user_id: UserId) {
        self.hub.do_send(CloseUser {
            user_id,
            code: close::REVOKED,
            reason: "account disabled",
        });
    }

    /// The chat was deleted: every member's sessions and its followers get
    /// `chat_removed`.
    pub fn deleted(&self, chat_id: ChatId, members: Vec<UserId>) {
        self.scopes.forget(chat_id);
        for user_id in members {
            self.hub.do_send(ChatRemoved { user_id, chat_id });
        }
        if let Some(room) = self.rooms.existing(chat_id) {
            room.do_send(Close { remote: false });
        }
        self.sweep.wake();
    }

    /// Messages were deleted (or their attachments released): their files
    /// can go now.
    pub fn files_released(&self) {
        self.sweep.wake();
    }
}
