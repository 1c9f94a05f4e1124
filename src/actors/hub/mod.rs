//! The hub: which users are connected through which sessions. It carries
//! presence and the events addressed to a user rather than to a chat
//! (membership changes, forced closes, shutdown).
//!
//! Presence spans instances: each hub tells the others over the bus when a
//! user comes (first session here) and goes (last session here, after the
//! grace), heartbeats every second, and keeps who is online elsewhere in
//! [`Instances`]. A user is online while any instance has them; an instance
//! silent for [`INSTANCE_TTL`] (killed, cut off) takes its users offline
//! with it. How remote events are applied is in `remote.rs`; sessions
//! coming and going in `sessions.rs`, membership changes in
//! `membership.rs`, and telling contacts in `announcing.rs`.

mod announcing;
mod membership;
mod queries;
mod remote;
mod sessions;

pub use membership::{ChatAdded, ChatRemoved};
pub use queries::{OnlineCount, PresenceQuery, Resized};
pub use remote::{BusLink, Remote, RemotePresence};
pub use sessions::{CloseUser, Connect, Disconnect, Shutdown};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use super::block_book::BlockBook;
use super::bus::Bus;
use super::delivery::SessionHandle;
use super::instances::Instances;
use super::presence::Presence;
use super::scopes::Scopes;
use crate::domain::UserId;
use crate::metrics::Metrics;

/// How long a user may be gone before contacts see them offline, so a
/// reconnect does not flicker.
const OFFLINE_GRACE: Duration = Duration::from_secs(5);

/// Every hub tells the others it is alive this often...
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// ...and one not heard from for this long is taken for dead. With the
/// heartbeat check every second, users of a killed instance go offline
/// everywhere within 6 s (+ bus latency): inside API.md's 10 s.
pub const INSTANCE_TTL: Duration = Duration::from_secs(5);

/// Heartbeat, and the check for silent instances.
#[derive(Message)]
#[rtype(result = "()")]
struct Tick;

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
}

impl Actor for Hub {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(HEARTBEAT, |_, ctx| ctx.notify(Tick));
    }
}
