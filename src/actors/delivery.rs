//! How rooms and the hub reach a WebSocket session without knowing the
//! session actor: frames go straight into the session's outbox (no mailbox
//! hop per recipient), and the few events that change what the session is
//! attached to arrive in its mailbox as [`SessionNotice`]s.

use std::sync::Arc;

use actix::{Message, Recipient};
use bytestring::ByteString;

use super::outbox::{Outbox, Refused};
use crate::domain::ChatId;
use crate::protocol::close;

/// Something a session must act on, not only pass to its socket.
#[derive(Message)]
#[rtype(result = "()")]
pub enum SessionNotice {
    /// The user became a member of `chat_id`: pass `frame` (`chat_added`),
    /// then attach to the chat's room.
    Joined { chat_id: ChatId, frame: ByteString },
    /// The user is no longer a member: detach, then pass `frame` (`chat_removed`).
    Left { chat_id: ChatId, frame: ByteString },
    /// The chat's room closed: the chat was deleted.
    RoomClosed { chat_id: ChatId },
    /// Close the socket with `code`.
    Close { code: u16, reason: &'static str },
}

/// A session as rooms and the hub hold it.
#[derive(Clone)]
pub struct SessionHandle {
    pub id: u64,
    outbox: Arc<Outbox>,
    notices: Recipient<SessionNotice>,
}

impl SessionHandle {
    pub fn new(id: u64, outbox: Arc<Outbox>, notices: Recipient<SessionNotice>) -> SessionHandle {
        SessionHandle {
            id,
            outbox,
            notices,
        }
    }

    /// Queues a frame; a reader whose queue is full is closed with 4008
    /// rather than allowed to grow memory without limit.
    pub fn deliver(&self, frame: ByteString) {
        if let Err(Refused::Full) = self.outbox.deliver(frame) {
            log::info!("session {} too slow, closing", self.id);
            self.notify(SessionNotice::Close {
                code: close::TOO_SLOW,
                reason: "too slow: reconnect and sync",
            });
        }
    }

    pub fn notify(&self, notice: SessionNotice) {
        self.notices.do_send(notice);
    }
}
