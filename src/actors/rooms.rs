//! The registry of running rooms: a room starts on first use and removes
//! itself here when it stops for idleness.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix::{Actor, Addr};

use super::bus::Bus;
use super::history::HistoryWriter;
use super::room::Room;
use crate::domain::ChatId;

#[derive(Clone)]
pub struct Rooms {
    running: Arc<Mutex<HashMap<ChatId, Addr<Room>>>>,
    writer: Addr<HistoryWriter>,
    bus: Bus,
}

impl Rooms {
    pub fn new(writer: Addr<HistoryWriter>, bus: Bus) -> Rooms {
        Rooms {
            running: Arc::default(),
            writer,
            bus,
        }
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// The chat's room, started if it is not running. Senders must use
    /// `send` (not `do_send`) and retry on `MailboxError::Closed`: a room
    /// may be stopping at the moment it is handed out.
    pub fn get(&self, chat_id: ChatId) -> Addr<Room> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(addr) = running.get(&chat_id) {
            if addr.connected() {
                return addr.clone();
            }
        }
        let addr = Room::new(chat_id, self.writer.clone(), self.clone()).start();
        running.insert(chat_id, addr.clone());
        addr
    }

    /// The room if it is running (for notifications that matter only to live sessions).
    pub fn existing(&self, chat_id: ChatId) -> Option<Addr<Room>> {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.get(&chat_id).filter(|a| a.connected()).cloned()
    }

    pub(super) fn forget(&self, chat_id: ChatId, addr: &Addr<Room>) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.get(&chat_id) == Some(addr) {
            running.remove(&chat_id);
        }
    }
}
