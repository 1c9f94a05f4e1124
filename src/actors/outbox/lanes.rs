//! The two lanes of one socket's queue, what they hold, and their bounds.

use std::collections::VecDeque;
use std::sync::MutexGuard;
use std::task::Waker;

use actix_http::ws::CloseReason;
use actix_web::web::Bytes;
use bytestring::ByteString;

/// What a ping or pong is counted as, beyond its payload (frame header and
/// queue entry), so a flood of them is bounded like text.
const CONTROL_OVERHEAD: usize = 16;

/// The session's own frames: they bypass the gate and go first.
pub(super) enum Control {
    Text(ByteString),
    Ping,
    Pong(Bytes),
}

impl Control {
    pub(super) fn cost(&self) -> usize {
        match self {
            Control::Text(text) => text.len(),
            Control::Ping => CONTROL_OVERHEAD,
            Control::Pong(payload) => payload.len() + CONTROL_OVERHEAD,
        }
    }
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The queue is over its bound: the reader is too slow (reported once).
    Full,
    /// The socket is closing or gone.
    Closed,
}

/// Bounds of one socket's queue.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Frames per lane.
    pub frames: usize,
    /// Bytes across both lanes.
    pub bytes: usize,
}

pub(super) struct State {
    pub(super) control: VecDeque<Control>,
    /// Room deliveries; held back until the gate opens (right after `ready`).
    pub(super) data: VecDeque<ByteString>,
    /// Bytes waiting in both lanes.
    pub(super) queued: usize,
    pub(super) open: bool,
    pub(super) close: Option<CloseReason>,
    /// The body was dropped: the connection is gone.
    pub(super) gone: bool,
    /// The client went away (EOF): the body ends without a close frame.
    pub(super) hung_up: bool,
    /// A `Full` was already reported for this socket.
    pub(super) overflowed: bool,
    pub(super) waker: Option<Waker>,
}

pub(super) fn wake(mut state: MutexGuard<'_, State>) {
    let waker = state.waker.take();
    drop(state);
    if let Some(waker) = waker {
        waker.wake();
    }
}
