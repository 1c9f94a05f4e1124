//! What the hub does with other instances' events: per-user membership and
//! close events, and presence (who is online where, which instances are
//! alive).

use std::collections::HashSet;
use std::time::Instant;

use actix::prelude::*;
use bytestring::ByteString;

use super::{Hub, Tick, INSTANCE_TTL};
use crate::actors::bus::Event;
use crate::domain::{ChatId, UserId};

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

impl Hub {
    /// `user_id` is online on `origin` (with these chats).
    fn came(&mut self, origin: &str, user_id: UserId, chat_ids: Vec<ChatId>, now: Instant) {
        let announced = self.announced(user_id);
        self.elsewhere.add(origin, user_id, now);
        self.presence.enter(user_id, chat_ids);
        if !announced {
            self.announce(user_id, true);
        }
    }

    /// `user_id` is no longer online on `origin`.
    fn went(&mut self, origin: &str, user_id: UserId, now: Instant) {
        self.elsewhere.remove(origin, user_id, now);
        self.after_remote_departure(user_id);
    }

    fn after_remote_departure(&mut self, user_id: UserId) {
        if !self.announced(user_id) {
            self.gone_everywhere(user_id);
        }
    }

    /// Everyone online here (or within the grace), with their chats.
    fn roster(&self) -> Vec<(UserId, Vec<ChatId>)> {
        self.sessions
            .keys()
            .chain(self.departing.keys())
            .map(|&user| (user, self.presence.chats_of(user)))
            .collect()
    }

    /// Makes what is known of `origin` match its roster.
    fn apply_roster(&mut self, origin: &str, users: Vec<(UserId, Vec<ChatId>)>, now: Instant) {
        let ids: HashSet<UserId> = users.iter().map(|(u, _)| *u).collect();
        let (gone, _) = self.elsewhere.diff(origin, &ids);
        for user in gone {
            self.went(origin, user, now);
        }
        for (user, chats) in users {
            self.came(origin, user, chats, now);
        }
    }

    fn observe(&self) {
        let (instances, users) = self.elsewhere.sizes();
        self.metrics
            .observe_presence(self.sessions.len(), instances, users);
    }
}

impl Handler<RemotePresence> for Hub {
    type Result = ();

    fn handle(&mut self, msg: RemotePresence, _: &mut Context<Self>) {
        let (origin, now) = (msg.origin.as_str(), Instant::now());
        self.elsewhere.seen(origin, now);
        match msg.event {
            Event::Online { user_id, chat_ids } => self.came(origin, user_id, chat_ids, now),
            Event::Offline { user_id } => self.went(origin, user_id, now),
            Event::Hello => {
                let users = self.roster();
                self.bus.publish(Event::Roster { users });
            }
            Event::Roster { users } => self.apply_roster(origin, users, now),
            Event::ChatSize {
                chat_id,
                members_count,
            } => self.resized(chat_id, members_count, false),
            _ => {}
        }
    }
}

impl Handler<BusLink> for Hub {
    type Result = ();

    fn handle(&mut self, BusLink(up): BusLink, _: &mut Context<Self>) {
        self.bus_up = up;
        if up {
            // Events were missed both ways: ask for everyone's roster and
            // send ours; until they come, nobody is declared dead.
            self.elsewhere.refresh_all(Instant::now());
            self.bus.publish(Event::Hello);
            let users = self.roster();
            self.bus.publish(Event::Roster { users });
        }
    }
}

impl Handler<Tick> for Hub {
    type Result = ();

    fn handle(&mut self, _: Tick, _: &mut Context<Self>) {
        self.bus.publish(Event::Heartbeat);
        if self.bus_up {
            for user in self.elsewhere.expire(Instant::now(), INSTANCE_TTL) {
                self.after_remote_departure(user);
            }
        }
        self.observe();
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
            } => {
                self.joined(user_id, chat_id, &frame);
                self.meet(user_id, chat_id);
            }
            Remote::Left {
                user_id,
                chat_id,
                frame,
            } => {
                self.left(user_id, chat_id, &frame);
                self.presence.part(user_id, chat_id);
            }
            Remote::Close { user_id, code } => {
                self.close_user(user_id, code, "closed by another instance")
            }
        }
    }
}
