//! What a session has to send, and the response body that sends it.
//!
//! Rooms and the session push frames into one shared [`Outbox`]; the
//! WebSocket's body ([`OutboxBody`]) drains it straight into the socket
//! (see `actors::socket`), encoding every frame that is waiting into one
//! chunk. So a delivery costs one short lock and (at most) one wake-up,
//! however many frames it joins, and a burst reaches the socket in one
//! write — no task, channel or mailbox per frame in between.
//!
//! Two lanes, one gate: the session's own frames (replies, `ready`, pings)
//! always flow; room deliveries wait until the session opens the gate right
//! after queuing `ready`, so a client never sees a message before `ready`.
//!
//! One byte budget covers both lanes: a reader that lets more than that
//! pile up is refused (the session closes it with 4008, dropping both
//! lanes), so a client that never reads holds at most the budget. Long
//! replies (`sync`) do not trip it: they are queued with [`Outbox::paced`],
//! which waits for the socket to drain.

mod body;
mod lanes;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_http::ws::{CloseCode, CloseReason};
use actix_web::web::Bytes;
use bytestring::ByteString;
use prometheus::IntGauge;
use tokio::sync::Notify;

pub use body::OutboxBody;
pub use lanes::{Bounds, Refused};

use lanes::{wake, Control, State};

use super::socket::ConnSocket;
use crate::protocol::close;

/// Frames waiting for one socket, bounded in frames per lane and in bytes.
pub struct Outbox {
    state: Mutex<State>,
    bounds: Bounds,
    /// Bytes queued in every outbox (a metric).
    gauge: IntGauge,
    /// Woken when the body takes frames out, or the socket ends...
    drained: Notify,
    /// ...if anyone waits (so the common case costs no lock).
    pacing: AtomicUsize,
    /// The TCP connection, to abort it when it cannot be closed politely.
    conn: Option<ConnSocket>,
}

impl Outbox {
    pub fn new(bounds: Bounds, gauge: IntGauge, conn: Option<ConnSocket>) -> Arc<Self> {
        Arc::new(Outbox {
            state: Mutex::new(State {
                control: VecDeque::new(),
                data: VecDeque::new(),
                queued: 0,
                open: false,
                close: None,
                gone: false,
                hung_up: false,
                overflowed: false,
                waker: None,
            }),
            bounds,
            gauge,
            drained: Notify::new(),
            pacing: AtomicUsize::new(0),
            conn,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain queues behind; keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn over_budget(&self, state: &State, cost: usize) -> bool {
        // A frame bigger than the whole budget still goes through an empty queue.
        state.queued > 0 && state.queued + cost > self.bounds.bytes
    }

    /// Queues a room delivery.
    pub fn deliver(&self, frame: ByteString) -> Result<(), Refused> {
        let mut state = self.lock();
        if state.gone || state.close.is_some() || state.overflowed {
            return Err(Refused::Closed);
        }
        if state.data.len() >= self.bounds.frames || self.over_budget(&state, frame.len()) {
            state.overflowed = true;
            return Err(Refused::Full);
        }
        self.count(&mut state, frame.len() as i64);
        state.data.push_back(frame);
        wake(state);
        Ok(())
    }

    /// Queues one of the session's own text frames (replies, `ready`).
    pub fn reply(&self, frame: ByteString) -> Result<(), Refused> {
        self.control(Control::Text(frame))
    }

    /// Queues a reply once the queue has room for it, waiting for the
    /// socket to drain: a long reply is produced as fast as it is read.
    pub async fn paced(&self, frame: ByteString) -> Result<(), Refused> {
        // Counted before looking at the queue, so a drain in between wakes us.
        self.pacing.fetch_add(1, Ordering::SeqCst);
        let _pacing = Uncount(&self.pacing);
        loop {
            let drained = self.drained.notified();
            {
                let mut state = self.lock();
                if state.gone || state.close.is_some() {
                    return Err(Refused::Closed);
                }
                if !self.over_budget(&state, frame.len())
                    && state.control.len() < self.bounds.frames
                {
                    self.count(&mut state, frame.len() as i64);
                    state.control.push_back(Control::Text(frame));
                    wake(state);
                    return Ok(());
                }
            }
            drained.await;
        }
    }

    /// Wakes [`paced`](Self::paced) writers: the queue shrank or ended.
    fn drained(&self) {
        if self.pacing.load(Ordering::SeqCst) > 0 {
            self.drained.notify_waiters();
        }
    }

    pub fn ping(&self) {
        let _ = self.control(Control::Ping);
    }

    pub fn pong(&self, payload: Bytes) {
        let _ = self.control(Control::Pong(payload));
    }

    fn control(&self, item: Control) -> Result<(), Refused> {
        let mut state = self.lock();
        if state.gone || state.close.is_some() {
            return Err(Refused::Closed);
        }
        let cost = item.cost();
        if state.control.len() >= self.bounds.frames || self.over_budget(&state, cost) {
            return Err(Refused::Full);
        }
        self.count(&mut state, cost as i64);
        state.control.push_back(item);
        wake(state);
        Ok(())
    }

    fn count(&self, state: &mut State, bytes: i64) {
        state.queued = (state.queued as i64 + bytes) as usize;
        self.gauge.add(bytes);
    }

    /// Empties both lanes, returning their memory.
    fn clear(&self, state: &mut State) {
        state.control.clear();
        state.data.clear();
        let queued = state.queued as i64;
        self.count(state, -queued);
    }

    /// Lets room deliveries through.
    pub fn open(&self) {
        let mut state = self.lock();
        state.open = true;
        wake(state);
    }

    /// Ends the socket with a close frame, always accepted. Frames already
    /// queued go first (so acks are not lost on a drain), except for a reader
    /// closed for being too slow, whose queue is dropped.
    pub fn close(&self, code: u16, reason: &str) {
        let mut state = self.lock();
        if state.close.is_some() {
            return;
        }
        if code == close::TOO_SLOW {
            self.clear(&mut state);
        }
        state.close = Some(CloseReason {
            code: CloseCode::from(code),
            description: Some(reason.to_owned()),
        });
        self.drained.notify_waiters();
        wake(state);
    }

    /// The client closed the connection: the body ends now, dropping
    /// whatever is queued (no one reads it).
    pub fn hang_up(&self) {
        let mut state = self.lock();
        state.hung_up = true;
        state.gone = true;
        self.clear(&mut state);
        self.drained.notify_waiters();
        wake(state);
    }

    /// After [`close`](Self::close): if the connection is still open
    /// `grace` later (the peer does not read, so the close frame cannot be
    /// written), resets it and drops whatever is still queued.
    pub async fn abort_if_stuck(self: Arc<Self>, grace: Duration) {
        tokio::time::sleep(grace).await;
        let Some(conn) = &self.conn else { return };
        if conn.abort() {
            log::info!("a WebSocket did not take its close frame in {grace:?}: connection reset");
            let mut state = self.lock();
            self.clear(&mut state);
        }
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        let queued = self.lock().queued as i64;
        self.gauge.sub(queued);
    }
}

/// Takes a waiting writer off the count, however its wait ends.
struct Uncount<'a>(&'a AtomicUsize);

impl Drop for Uncount<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
