//! Sessions coming and going: a session's arrival answers who is online
//! and announces a first one; the last one's departure is announced after
//! the offline grace; and closing a user's sessions, or all of them.

use actix::prelude::*;

use super::{Hub, OFFLINE_GRACE};
use crate::actors::bus::Event;
use crate::actors::delivery::{SessionHandle, SessionNotice};
use crate::domain::{ChatId, UserId};
use crate::protocol::close;

/// A session authenticated. Answers the online users sharing a chat with
/// the user.
#[derive(Message)]
#[rtype(result = "Vec<UserId>")]
pub struct Connect {
    pub user_id: UserId,
    pub session: SessionHandle,
    /// The chats the user is a member of.
    pub chat_ids: Vec<ChatId>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Disconnect {
    pub user_id: UserId,
    pub session_id: u64,
}

/// Close every session of a user (deleted: 4003).
#[derive(Message)]
#[rtype(result = "()")]
pub struct CloseUser {
    pub user_id: UserId,
    pub code: u16,
    pub reason: &'static str,
}

/// Close every session with 1001; answers how many there were.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Shutdown;

impl Hub {
    pub(super) fn close_user(&self, user_id: UserId, code: u16, reason: &'static str) {
        for session in self.sessions_of(user_id) {
            session.notify(SessionNotice::Close { code, reason });
        }
    }
}

impl Handler<Connect> for Hub {
    type Result = MessageResult<Connect>;

    fn handle(&mut self, msg: Connect, _: &mut Context<Self>) -> Self::Result {
        let user_id = msg.user_id;
        // Back within the grace: contacts never saw them leave.
        let returning = self.departing.remove(&user_id).is_some();
        let first = !self.here(user_id);
        let known = self.elsewhere.has(user_id);
        self.presence.enter(user_id, msg.chat_ids.iter().copied());
        let online = self
            .presence
            .contacts(user_id, |c| self.online(c))
            .into_iter()
            .filter(|&c| !self.book.blocks(user_id, c))
            .collect::<std::collections::HashSet<_>>();
        self.sessions
            .entry(user_id)
            .or_default()
            .insert(msg.session.id, msg.session);
        if first && !returning {
            self.bus.publish_with(|| Event::Online {
                user_id,
                chat_ids: msg.chat_ids,
            });
            if !known {
                self.announce(user_id, true);
            }
        }
        MessageResult(online.into_iter().collect())
    }
}

impl Handler<Disconnect> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, ctx: &mut Context<Self>) {
        let user_id = msg.user_id;
        let Some(sessions) = self.sessions.get_mut(&user_id) else {
            return;
        };
        sessions.remove(&msg.session_id);
        if sessions.is_empty() {
            self.sessions.remove(&user_id);
            self.departures += 1;
            let departure = self.departures;
            self.departing.insert(user_id, departure);
            ctx.run_later(OFFLINE_GRACE, move |hub, _| {
                if hub.departing.get(&user_id) == Some(&departure) {
                    hub.departing.remove(&user_id);
                    hub.bus.publish(Event::Offline { user_id });
                    if !hub.elsewhere.has(user_id) {
                        hub.gone_everywhere(user_id);
                    }
                }
            });
        }
    }
}

impl Handler<CloseUser> for Hub {
    type Result = ();

    fn handle(&mut self, msg: CloseUser, _: &mut Context<Self>) {
        self.close_user(msg.user_id, msg.code, msg.reason);
        self.bus.publish(Event::CloseUser {
            user_id: msg.user_id,
            code: msg.code,
        });
    }
}

impl Handler<Shutdown> for Hub {
    type Result = usize;

    fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) -> usize {
        let mut n = 0;
        for session in self.sessions.values().flat_map(|s| s.values()) {
            session.notify(SessionNotice::Close {
                code: close::GOING_AWAY,
                reason: "server shutting down",
            });
            n += 1;
        }
        n
    }
}
