//! Membership changes addressed to a user: their sessions attach to or
//! detach from the chat, the other instances hear of it, and members who
//! now share a chat learn of each other's presence.

use actix::prelude::*;
use bytestring::ByteString;

use super::Hub;
use crate::actors::bus::Event;
use crate::actors::delivery::SessionNotice;
use crate::domain::{ChatId, UserId};
use crate::protocol::{Chat, ServerFrame};

/// The user became a member of `chat` (sent `chat_added`, sessions attach).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChatAdded {
    pub user_id: UserId,
    pub chat: Chat,
}

/// The user is no longer a member (sent `chat_removed`, sessions detach).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChatRemoved {
    pub user_id: UserId,
    pub chat_id: ChatId,
}

impl Hub {
    pub(super) fn joined(&self, user_id: UserId, chat_id: ChatId, frame: &ByteString) {
        for session in self.sessions_of(user_id) {
            session.notify(SessionNotice::Joined {
                chat_id,
                frame: frame.clone(),
            });
        }
    }

    pub(super) fn left(&self, user_id: UserId, chat_id: ChatId, frame: &ByteString) {
        for session in self.sessions_of(user_id) {
            session.notify(SessionNotice::Left {
                chat_id,
                frame: frame.clone(),
            });
        }
    }

    /// `user_id` became a member of `chat_id`: members who now share a chat
    /// with them for the first time learn of each other's presence.
    pub(super) fn meet(&mut self, user_id: UserId, chat_id: ChatId) {
        let fresh = self.presence.join(user_id, chat_id);
        let user_online = self.online(user_id);
        for other in fresh {
            if self.online(other) {
                self.tell([user_id], other, true);
                if user_online {
                    self.tell([other], user_id, true);
                }
            }
        }
    }
}

impl Handler<ChatAdded> for Hub {
    type Result = ();

    fn handle(&mut self, msg: ChatAdded, _: &mut Context<Self>) {
        let frame = ServerFrame::ChatAdded { chat: &msg.chat }.encode();
        self.joined(msg.user_id, msg.chat.id, &frame);
        // The size first, so the newcomer meets the members only in a chat
        // that still carries presence.
        self.resized(msg.chat.id, msg.chat.members_count, true);
        self.meet(msg.user_id, msg.chat.id);
        let (user_id, chat_id, frame) = (msg.user_id, msg.chat.id, frame.to_string());
        self.bus.publish(Event::Joined {
            user_id,
            chat_id,
            frame,
        });
    }
}

impl Handler<ChatRemoved> for Hub {
    type Result = ();

    fn handle(&mut self, msg: ChatRemoved, _: &mut Context<Self>) {
        let frame = ServerFrame::ChatRemoved {
            chat_id: msg.chat_id,
        }
        .encode();
        self.left(msg.user_id, msg.chat_id, &frame);
        self.presence.part(msg.user_id, msg.chat_id);
        let (user_id, chat_id, frame) = (msg.user_id, msg.chat_id, frame.to_string());
        self.bus.publish(Event::Left {
            user_id,
            chat_id,
            frame,
        });
    }
}
