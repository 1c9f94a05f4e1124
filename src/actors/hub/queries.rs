//! Presence that is asked for rather than pushed: `presence_query`, a
//! chat's `online_count`, and what a chat's size means for whom presence
//! reaches (see `scopes`).

use std::collections::HashSet;

use actix::prelude::*;

use super::Hub;
use crate::actors::bus::Event;
use crate::domain::{ChatId, UserId};

/// Which of `ids` are online, among the users sharing any chat with
/// `user_id` (large ones included).
#[derive(Message)]
#[rtype(result = "Vec<UserId>")]
pub struct PresenceQuery {
    pub user_id: UserId,
    pub ids: Vec<UserId>,
}

/// How many members of `chat_id` are online now.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct OnlineCount {
    pub chat_id: ChatId,
}

/// A chat's member count changed (or was learnt) on this instance.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Resized {
    pub chat_id: ChatId,
    pub members_count: i64,
}

impl Hub {
    /// Records a chat's size; `publish` tells the other instances (a size
    /// learnt from them is not sent back). A chat that starts carrying
    /// presence introduces its online members to each other.
    pub(super) fn resized(&mut self, chat_id: ChatId, members_count: i64, publish: bool) {
        let change = self.scopes.note(chat_id, members_count);
        if publish && change.is_some() {
            self.bus.publish(Event::ChatSize {
                chat_id,
                members_count,
            });
        }
        if change == Some(true) {
            self.introduce(chat_id);
        }
    }

    /// `chat_id` now carries presence: its local members hear of the online
    /// members they did not share such a chat with before. (A chat that
    /// stops carrying it sends nothing: clients keep what they knew.)
    fn introduce(&self, chat_id: ChatId) {
        let online: Vec<UserId> = self
            .presence
            .users_in(chat_id)
            .filter(|&u| self.online(u))
            .collect();
        for &to in online.iter().filter(|&&u| self.here(u)) {
            for &other in &online {
                if other != to && !self.presence.share_presence_besides(to, other, chat_id) {
                    self.tell([to], other, true);
                }
            }
        }
    }
}

impl Handler<PresenceQuery> for Hub {
    type Result = MessageResult<PresenceQuery>;

    fn handle(&mut self, msg: PresenceQuery, _: &mut Context<Self>) -> Self::Result {
        let me = msg.user_id;
        let mut seen = HashSet::with_capacity(msg.ids.len());
        let online = msg
            .ids
            .into_iter()
            .filter(|&u| seen.insert(u))
            .filter(|&u| {
                // Yourself: this very session is online.
                u == me
                    || (self.announced(u)
                        && self.presence.share_any(me, u)
                        && !self.book.blocks(me, u))
            })
            .collect();
        MessageResult(online)
    }
}

impl Handler<OnlineCount> for Hub {
    type Result = usize;

    fn handle(&mut self, msg: OnlineCount, _: &mut Context<Self>) -> usize {
        self.presence
            .users_in(msg.chat_id)
            .filter(|&u| self.announced(u))
            .count()
    }
}

impl Handler<Resized> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Resized, _: &mut Context<Self>) {
        self.resized(msg.chat_id, msg.members_count, true);
    }
}
