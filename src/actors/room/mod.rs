//! A chat room: one actor per active chat. It orders the chat's sends (they
//! reach the writer in the order it receives them) and fans each committed
//! message out to the sessions attached to it, serialized once.
//!
//! What it is told is in `messages`; sends and edits through the history
//! writer and the fan-out of what it committed in `commits`; who is
//! attached in `attach`; frames from elsewhere (typing, other instances,
//! a bus replay, the chat's deletion) in `relay`.

mod attach;
mod commits;
mod messages;
mod relay;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytestring::ByteString;

use super::block_book::BlockBook;
use super::bus::Bus;
use super::delivery::SessionHandle;
use super::history::HistoryWriter;
use super::recent::Recent;
use crate::domain::{ChatId, MessageId, UserId};

pub use messages::{Attach, Broadcast, Close, Detach, DetachUser, RemoteMessage, Replay};

/// A room with nothing attached and nothing in flight stops after this long.
const IDLE_STOP: Duration = Duration::from_secs(60);

/// Called once as the room stops, so whoever started it can forget it.
pub type OnStop = Box<dyn Fn(ChatId, &Addr<Room>)>;

struct Attached {
    user_id: UserId,
    session: SessionHandle,
    member: bool,
}

pub struct Room {
    chat_id: ChatId,
    sessions: HashMap<u64, Attached>,
    in_flight: usize,
    last_active: Instant,
    writer: Addr<HistoryWriter>,
    bus: Bus,
    book: Arc<BlockBook>,
    /// Messages delivered lately, so none is delivered twice.
    recent: Recent,
    on_stop: OnStop,
}

impl Room {
    pub fn new(
        chat_id: ChatId,
        writer: Addr<HistoryWriter>,
        bus: Bus,
        book: Arc<BlockBook>,
        on_stop: OnStop,
    ) -> Room {
        Room {
            chat_id,
            sessions: HashMap::new(),
            in_flight: 0,
            last_active: Instant::now(),
            writer,
            bus,
            book,
            recent: Recent::default(),
            on_stop,
        }
    }

    /// Records a message as delivered; `false` if it already was.
    fn first_delivery(&mut self, id: MessageId) -> bool {
        let prune = self.bus.linked();
        self.recent.first_time(id, Instant::now(), prune)
    }

    fn to_all(&self, frame: &ByteString) {
        for attached in self.sessions.values() {
            attached.session.deliver(frame.clone());
        }
    }
}

impl Actor for Room {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(IDLE_STOP / 2, |room, ctx| {
            let idle = room.sessions.is_empty() && room.in_flight == 0;
            if idle && room.last_active.elapsed() >= IDLE_STOP {
                ctx.stop();
            }
        });
    }

    fn stopping(&mut self, ctx: &mut Context<Self>) -> Running {
        (self.on_stop)(self.chat_id, &ctx.address());
        Running::Stop
    }
}
