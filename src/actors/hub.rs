//! The hub: which users are connected through which sessions. It carries
//! presence and the events addressed to a user rather than to a chat
//! (membership changes, forced closes, shutdown).

use std::collections::HashMap;
use std::time::Duration;

use actix::prelude::*;
use bytestring::ByteString;
use serde_json::json;

use super::bus::{Bus, Event};
use super::session::{CloseSession, Deliver, JoinedChat, LeftChat, WsSession};
use crate::domain::Chat;

/// How long a user may be gone before contacts see them offline, so a
/// reconnect does not flicker.
const OFFLINE_GRACE: Duration = Duration::from_secs(5);

/// A session authenticated. Answers the online users among `contacts`.
#[derive(Message)]
#[rtype(result = "Vec<i64>")]
pub struct Connect {
    pub user_id: i64,
    pub session_id: u64,
    pub addr: Addr<WsSession>,
    /// Everyone sharing a chat with the user.
    pub contacts: Vec<i64>,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Disconnect {
    pub user_id: i64,
    pub session_id: u64,
}

/// The user became a member of `chat` (sent `chat_added`, sessions attach).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChatAdded {
    pub user_id: i64,
    pub chat: Chat,
    /// Everyone in the chat now: they become presence contacts of the user.
    pub members: Vec<i64>,
}

/// The user is no longer a member (sent `chat_removed`, sessions detach).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ChatRemoved {
    pub user_id: i64,
    pub chat_id: i64,
}

/// Close every session of a user (deleted: 4003).
#[derive(Message)]
#[rtype(result = "()")]
pub struct CloseUser {
    pub user_id: i64,
    pub code: u16,
    pub reason: &'static str,
}

/// Close every session with 1001; answers how many there were.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Shutdown;

/// The same per-user events, arriving from another instance over the bus.
#[derive(Message)]
#[rtype(result = "()")]
pub enum Remote {
    Joined {
        user_id: i64,
        chat_id: i64,
        frame: ByteString,
    },
    Left {
        user_id: i64,
        chat_id: i64,
        frame: ByteString,
    },
    Close {
        user_id: i64,
        code: u16,
    },
}

pub struct Hub {
    sessions: HashMap<i64, HashMap<u64, Addr<WsSession>>>,
    contacts: HashMap<i64, Vec<i64>>,
    bus: Bus,
}

impl Hub {
    pub fn new(bus: Bus) -> Hub {
        Hub {
            sessions: HashMap::new(),
            contacts: HashMap::new(),
            bus,
        }
    }
}

impl Hub {
    fn to_user(&self, user_id: i64, frame: &ByteString) {
        for addr in self
            .sessions
            .get(&user_id)
            .into_iter()
            .flat_map(|s| s.values())
        {
            addr.do_send(Deliver(frame.clone()));
        }
    }

    fn announce(&self, user_id: i64, online: bool) {
        let frame: ByteString = json!({"type": "presence", "user_id": user_id, "online": online})
            .to_string()
            .into();
        for contact in self.contacts.get(&user_id).into_iter().flatten() {
            self.to_user(*contact, &frame);
        }
    }
}

impl Actor for Hub {
    type Context = Context<Self>;
}

impl Handler<Connect> for Hub {
    type Result = MessageResult<Connect>;

    fn handle(&mut self, msg: Connect, _: &mut Context<Self>) -> Self::Result {
        let first = !self.sessions.contains_key(&msg.user_id);
        let online = msg
            .contacts
            .iter()
            .copied()
            .filter(|c| self.sessions.contains_key(c))
            .collect();
        self.sessions
            .entry(msg.user_id)
            .or_default()
            .insert(msg.session_id, msg.addr);
        self.contacts.insert(msg.user_id, msg.contacts);
        if first {
            self.announce(msg.user_id, true);
        }
        MessageResult(online)
    }
}

impl Handler<Disconnect> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Disconnect, ctx: &mut Context<Self>) {
        let Some(sessions) = self.sessions.get_mut(&msg.user_id) else {
            return;
        };
        sessions.remove(&msg.session_id);
        if sessions.is_empty() {
            self.sessions.remove(&msg.user_id);
            ctx.run_later(OFFLINE_GRACE, move |hub, _| {
                if !hub.sessions.contains_key(&msg.user_id) {
                    hub.announce(msg.user_id, false);
                    hub.contacts.remove(&msg.user_id);
                }
            });
        }
    }
}

impl Hub {
    fn sessions_of(&self, user_id: i64) -> impl Iterator<Item = &Addr<WsSession>> {
        self.sessions
            .get(&user_id)
            .into_iter()
            .flat_map(|s| s.values())
    }

    /// Makes members of a newly shared chat presence contacts of each other,
    /// and tells the user which of them are online right now.
    fn meet(&mut self, user_id: i64, members: &[i64]) {
        for &other in members.iter().filter(|&&m| m != user_id) {
            if let Some(contacts) = self.contacts.get_mut(&user_id) {
                if !contacts.contains(&other) {
                    contacts.push(other);
                    if self.sessions.contains_key(&other) {
                        let frame: ByteString =
                            json!({"type": "presence", "user_id": other, "online": true})
                                .to_string()
                                .into();
                        self.to_user(user_id, &frame);
                    }
                }
            }
            if let Some(contacts) = self.contacts.get_mut(&other) {
                if !contacts.contains(&user_id) {
                    contacts.push(user_id);
                }
            }
        }
    }

    fn joined(&self, user_id: i64, chat_id: i64, frame: &ByteString) {
        for addr in self.sessions_of(user_id) {
            addr.do_send(JoinedChat {
                chat_id,
                frame: frame.clone(),
            });
        }
    }

    fn left(&self, user_id: i64, chat_id: i64, frame: &ByteString) {
        for addr in self.sessions_of(user_id) {
            addr.do_send(LeftChat {
                chat_id,
                frame: frame.clone(),
            });
        }
    }

    fn close_user(&self, user_id: i64, code: u16, reason: &'static str) {
        for addr in self.sessions_of(user_id) {
            addr.do_send(CloseSession { code, reason });
        }
    }
}

impl Handler<ChatAdded> for Hub {
    type Result = ();

    fn handle(&mut self, msg: ChatAdded, _: &mut Context<Self>) {
        let frame: ByteString = json!({"type": "chat_added", "chat": msg.chat})
            .to_string()
            .into();
        self.joined(msg.user_id, msg.chat.id, &frame);
        self.meet(msg.user_id, &msg.members);
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
        let frame: ByteString = json!({"type": "chat_removed", "chat_id": msg.chat_id})
            .to_string()
            .into();
        self.left(msg.user_id, msg.chat_id, &frame);
        let (user_id, chat_id, frame) = (msg.user_id, msg.chat_id, frame.to_string());
        self.bus.publish(Event::Left {
            user_id,
            chat_id,
            frame,
        });
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

impl Handler<Remote> for Hub {
    type Result = ();

    fn handle(&mut self, msg: Remote, _: &mut Context<Self>) {
        match msg {
            Remote::Joined {
                user_id,
                chat_id,
                frame,
            } => self.joined(user_id, chat_id, &frame),
            Remote::Left {
                user_id,
                chat_id,
                frame,
            } => self.left(user_id, chat_id, &frame),
            Remote::Close { user_id, code } => {
                self.close_user(user_id, code, "closed by another instance")
            }
        }
    }
}

impl Handler<Shutdown> for Hub {
    type Result = usize;

    fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) -> usize {
        let mut n = 0;
        for addr in self.sessions.values().flat_map(|s| s.values()) {
            addr.do_send(CloseSession {
                code: 1001,
                reason: "server shutting down",
            });
            n += 1;
        }
        n
    }
}
