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
use crate::domain::{ChatId, UserId};
use crate::protocol::{close, Chat};

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

    /// The account is gone: its sessions close with 4003 (first, so they
    /// are not sent `chat_removed` for each chat on the way out), then it
    /// departs from every chat it was in, as if it had left each.
    pub fn account_deleted(&self, user_id: UserId, departures: Vec<(ChatId, Departure)>) {
        self.hub.do_send(CloseUser {
            user_id,
            code: close::REVOKED,
            reason: "account deleted",
        });
        for (chat_id, departure) in departures {
            self.departed(chat_id, user_id, departure);
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
