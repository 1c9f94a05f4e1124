//! The hub: which users are connected through which sessions. It carries
//! presence and the events addressed to a user rather than to a chat
//! (membership changes, forced closes, shutdown).
//!
//! Presence spans instances: each hub tells the others over the bus when a
//! user comes (first session here) and goes (last session here, after the
//! grace), heartbeats every second, and keeps who is online elsewhere in
//! [`Instances`]. A user is online while any instance has them; an instance
//! silent for [`INSTANCE_TTL`] (killed, cut off) takes its users offline
//! with it. How remote events are applied is in `remote.rs`.

mod queries;
mod remote;

pub use queries::{OnlineCount, PresenceQuery, Resized};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use bytestring::ByteString;

use super::block_book::BlockBook;
use super::bus::{Bus, Event};
use super::delivery::{SessionHandle, SessionNotice};
use super::instances::Instances;
use super::presence::Presence;
use super::scopes::Scopes;
use crate::domain::{ChatId, UserId};
use crate::metrics::Metrics;
use crate::protocol::{close, Chat, ServerFrame};

/// How long a user may be gone before contacts see them offline, so a
/// reconnect does not flicker.
const OFFLINE_GRACE: Duration = Duration::from_secs(5);

/// Every hub tells the others it is alive this often...
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// ...and one not heard from for this long is taken for dead. With the
/// heartbeat check every second, users of a killed instance go offline
/// everywhere within 6 s (+ bus latency): inside API.md's 10 s.
pub const INSTANCE_TTL: Duration = Duration::from_secs(5);

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

/// Presence events from another instance (`origin`) over the bus: one of
/// `Online`, `Offline`, `Heartbeat`, `Hello`, `Roster`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RemotePresence {
    pub origin: String,
    pub event: Event,
}

/// This instance's subscription to the bus was lost (`false`) or is
/// (re)established (`true`).
#[derive(Message)]
#[rtype(result = "()")]
pub struct BusLink(pub bool);

/// Heartbeat, and the check for silent instances.
#[derive(Message)]
#[rtype(result = "()")]
struct Tick;

/// The same per-user events, arriving from another instance over the bus.
#[derive(Message)]
#[rtype(result = "()")]
pub enum Remote {
    Joined {
        user_id: UserId,
        chat_id: ChatId,
        frame: ByteString,
    },
    Left {
        user_id: UserId,
        chat_id: ChatId,
        frame: ByteString,
    },
    Close {
        user_id: UserId,
        code: u16,
    },
}

pub struct Hub {
    sessions: HashMap<UserId, HashMap<u64, SessionHandle>>,
    presence: Presence,
    /// Users whose last session closed, waiting out the grace: the value
    /// tells a timer whether it is still the latest departure.
    departing: HashMap<UserId, u64>,
    departures: u64,
    /// Who is online on the other instances.
    elsewhere: Instances,
    /// Whether this instance hears the bus now; silent instances are only
    /// expired while it does.
    bus_up: bool,
    bus: Bus,
    metrics: Arc<Metrics>,
    /// Presence does not reach people who blocked its subject.
    book: Arc<BlockBook>,
    /// Which chats carry presence.
    scopes: Arc<Scopes>,
}

impl Hub {
    pub fn new(bus: Bus, metrics: Arc<Metrics>, book: Arc<BlockBook>, scopes: Arc<Scopes>) -> Hub {
        Hub {
            sessions: HashMap::new(),
            presence: Presence::new(scopes.clone()),
            departing: HashMap::new(),
            departures: 0,
            elsewhere: Instances::default(),
            bus_up: false,
            bus,
            metrics,
            book,
            scopes,
        }
    }

    fn sessions_of(&self, user_id: UserId) -> impl Iterator<Item = &SessionHandle> {
        self.sessions
            .get(&user_id)
            .into_iter()
            .flat_map(|s| s.values())
    }

    /// Connected to this instance.
    fn here(&self, user_id: UserId) -> bool {
        self.sessions.contains_key(&user_id)
    }

    /// Connected to any instance.
    fn online(&self, user_id: UserId) -> bool {
        self.here(user_id) || self.elsewhere.has(user_id)
    }

    /// Seen online by contacts: connected somewhere, or gone from here so
    /// recently that the grace has not run out.
    fn announced(&self, user_id: UserId) -> bool {
        self.online(user_id) || self.departing.contains_key(&user_id)
    }

    /// Tells the local contacts of `user_id` whether they are online.
    fn announce(&self, user_id: UserId, online: bool) {
        let contacts = self.presence.contacts(user_id, |c| self.here(c));
        self.tell(contacts, user_id, online);
    }

    /// `user_id` has gone from this instance and from all others: contacts
    /// here hear it, and they are no longer tracked.
    fn gone_everywhere(&mut self, user_id: UserId) {
        self.announce(user_id, false);
        self.presence.leave(user_id);
    }

    /// Tells `to` (each of their sessions) whether `user_id` is online.
    fn tell(&self, to: impl IntoIterator<Item = UserId>, user_id: UserId, online: bool) {
        let frame = ServerFrame::Presence { user_id, online }.encode();
        for recipient in to {
            if self.book.blocks(recipient, user_id) {
                continue;
            }
            for session in self.sessions_of(recipient) {
                session.deliver(frame.clone());
            }
        }
    }

    fn joined(&self, user_id: UserId, chat_id: ChatId, frame: &ByteString) {
        for session in self.sessions_of(user_id) {
            session.notify(SessionNotice::Joined {
                chat_id,
                frame: frame.clone(),
            });
        }
    }

    fn left(&self, user_id: UserId, chat_id: ChatId, frame: &ByteString) {
        for session in self.sessions_of(user_id) {
            session.notify(SessionNotice::Left {
                chat_id,
                frame: frame.clone(),
            });
        }
    }

    fn close_user(&self, user_id: UserId, code: u16, reason: &'static str) {
        for session in self.sessions_of(user_id) {
            session.notify(SessionNotice::Close { code, reason });
        }
    }

    /// `user_id` became a member of `chat_id`: members who now share a chat
    /// with them for the first time learn of each other's presence.
    fn meet(&mut self, user_id: UserId, chat_id: ChatId) {
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

impl Actor for Hub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(HEARTBEAT, |_, ctx| ctx.notify(Tick));
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
