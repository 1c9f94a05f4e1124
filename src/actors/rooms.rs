//! The registry of running rooms. A room starts on first use and removes
//! itself here when it stops for idleness; the methods below hide that life
//! cycle: a room handed out may be stopping at that very moment, so they
//! retry with a fresh one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use actix::{Actor, Addr};
use tokio::sync::oneshot;

use bytestring::ByteString;

use super::block_book::BlockBook;
use super::bus::{Bus, Event};
use super::change::{Change, ChangeResult};
use super::history::HistoryWriter;
use super::post::{Draft, Origin, Outcome, Post};
use super::room::{Attach, Broadcast, Room};
use super::{ServiceError, ServiceResult};
use crate::domain::{ChangeRequest, ChatId};

/// How many rooms to try before giving up (one stopping room is rare; two
/// in a row rarer still).
const ATTEMPTS: usize = 3;

type Running = Arc<Mutex<HashMap<ChatId, Addr<Room>>>>;

#[derive(Clone)]
pub struct Rooms {
    running: Running,
    writer: Addr<HistoryWriter>,
    bus: Bus,
    book: Arc<BlockBook>,
}

impl Rooms {
    pub fn new(writer: Addr<HistoryWriter>, bus: Bus, book: Arc<BlockBook>) -> Rooms {
        Rooms {
            running: Arc::default(),
            writer,
            bus,
            book,
        }
    }

    fn lock(running: &Running) -> MutexGuard<'_, HashMap<ChatId, Addr<Room>>> {
        running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The chat's room, started if it is not running.
    fn get(&self, chat_id: ChatId) -> Addr<Room> {
        let mut running = Self::lock(&self.running);
        if let Some(addr) = running.get(&chat_id) {
            if addr.connected() {
                return addr.clone();
            }
        }
        let registry = Arc::downgrade(&self.running);
        let forget = Box::new(move |chat_id, addr: &Addr<Room>| {
            if let Some(running) = registry.upgrade() {
                let mut running = Self::lock(&running);
                if running.get(&chat_id) == Some(addr) {
                    running.remove(&chat_id);
                }
            }
        });
        let room = Room::new(
            chat_id,
            self.writer.clone(),
            self.bus.clone(),
            self.book.clone(),
            forget,
        );
        let addr = room.start();
        running.insert(chat_id, addr.clone());
        addr
    }

    /// Who blocked whom, shared with the rooms and the hub.
    pub fn blocks(&self) -> &BlockBook {
        &self.book
    }

    /// The room if it is running (for notifications that matter only to live sessions).
    pub fn existing(&self, chat_id: ChatId) -> Option<Addr<Room>> {
        let running = Self::lock(&self.running);
        running.get(&chat_id).filter(|a| a.connected()).cloned()
    }

    /// Every running room (to replay what a bus outage kept from them).
    pub fn running(&self) -> Vec<(ChatId, Addr<Room>)> {
        let running = Self::lock(&self.running);
        running
            .iter()
            .filter(|(_, a)| a.connected())
            .map(|(id, a)| (*id, a.clone()))
            .collect()
    }

    /// Stores a send made over REST through the chat's room, so it is
    /// ordered and fanned out like a WebSocket send; resolves once committed.
    pub async fn post(&self, chat_id: ChatId, draft: Draft) -> Outcome {
        for _ in 0..ATTEMPTS {
            let (tx, rx) = oneshot::channel();
            let post = Post {
                draft: draft.clone(),
                origin: Origin::Rest(tx),
            };
            // Answered once the room has taken the send in; an error means
            // it stopped first, and a fresh one is started.
            if self.get(chat_id).send(post).await.is_ok() {
                return rx
                    .await
                    .map_err(|_| ServiceError::Internal("send dropped before commit".into()))?;
            }
        }
        Err(unavailable(chat_id))
    }

    /// Passes a frame to every session attached to the chat on every
    /// instance: through the local room when one runs (it publishes too),
    /// else straight onto the bus.
    pub fn broadcast(&self, chat_id: ChatId, frame: ByteString) {
        match self.existing(chat_id) {
            Some(room) => room.do_send(Broadcast {
                frame,
                except_user: None,
                members_only: false,
                remote: false,
            }),
            None => self.bus.publish_with(|| Event::Chat {
                chat_id,
                frame: frame.to_string(),
                except_user: None,
                members_only: false,
                message_id: None,
            }),
        }
    }

    /// Applies a change to a stored message through the chat's room, so it
    /// is ordered with the chat's other writes and fanned out as
    /// `message_updated`; resolves once committed.
    pub async fn change(&self, request: ChangeRequest) -> ChangeResult {
        let chat_id = request.chat_id;
        for _ in 0..ATTEMPTS {
            let (tx, rx) = oneshot::channel();
            let change = Change {
                request: request.clone(),
                reply: tx,
            };
            if self.get(chat_id).send(change).await.is_ok() {
                return rx
                    .await
                    .map_err(|_| ServiceError::Internal("change dropped before commit".into()))?;
            }
        }
        Err(unavailable(chat_id))
    }

    /// Attaches a session to the chat's room and returns the room, which
    /// stays up as long as a session is attached.
    pub async fn attach(&self, chat_id: ChatId, attach: Attach) -> ServiceResult<Addr<Room>> {
        for _ in 0..ATTEMPTS {
            let room = self.get(chat_id);
            if room.send(attach.clone()).await.is_ok() {
                return Ok(room);
            }
        }
        Err(unavailable(chat_id))
    }
}

fn unavailable(chat_id: ChatId) -> ServiceError {
    ServiceError::Internal(format!("room {chat_id} keeps stopping"))
}
