//! What a session has to send, and the response body that sends it.
//!
//! Rooms and the session push frames into one shared [`Outbox`]; the
//! WebSocket response body drains it straight into the connection's write
//! buffer, encoding every frame that is waiting into one chunk. So a delivery
//! costs one short lock and (at most) one wake-up, however many frames it
//! joins, and a burst reaches the socket in one write — no task, channel or
//! mailbox per frame in between.
//!
//! Two lanes, one gate: the session's own frames (replies, `ready`, pings)
//! always flow; room deliveries wait until the session opens the gate right
//! after queuing `ready`, so a client never sees a message before `ready`.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use actix_codec::Encoder;
use actix_http::body::{BodySize, MessageBody};
use actix_http::ws::{CloseCode, CloseReason, Codec, Message, ProtocolError};
use actix_web::web::{Bytes, BytesMut};
use bytestring::ByteString;

use crate::protocol::close;

/// One chunk handed to the connection holds at most about this many bytes,
/// so a long queue is written in pieces rather than copied at once.
const CHUNK: usize = 64 * 1024;

/// The session's own frames: they bypass the gate and go first.
enum Control {
    Text(ByteString),
    Ping,
    Pong(Bytes),
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The queue is at its bound: the reader is too slow (reported once).
    Full,
    /// The socket is closing or gone.
    Closed,
}

struct State {
    control: VecDeque<Control>,
    /// Room deliveries; held back until the gate opens (right after `ready`).
    data: VecDeque<ByteString>,
    open: bool,
    close: Option<CloseReason>,
    /// The body was dropped: the connection is gone.
    gone: bool,
    /// A `Full` was already reported for this socket.
    overflowed: bool,
    waker: Option<Waker>,
}

/// Frames waiting for one socket, bounded per lane.
pub struct Outbox {
    state: Mutex<State>,
    capacity: usize,
}

impl Outbox {
    pub fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Outbox {
            state: Mutex::new(State {
                control: VecDeque::new(),
                data: VecDeque::new(),
                open: false,
                close: None,
                gone: false,
                overflowed: false,
                waker: None,
            }),
            capacity,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain queues behind; keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a room delivery.
    pub fn deliver(&self, frame: ByteString) -> Result<(), Refused> {
        let mut state = self.lock();
        if state.gone || state.close.is_some() || state.overflowed {
            return Err(Refused::Closed);
        }
        if state.data.len() >= self.capacity {
            state.overflowed = true;
            return Err(Refused::Full);
        }
        state.data.push_back(frame);
        wake(state);
        Ok(())
    }

    /// Queues one of the session's own text frames (replies, `ready`).
    pub fn reply(&self, frame: ByteString) -> Result<(), Refused> {
        self.control(Control::Text(frame))
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
        if state.control.len() >= self.capacity {
            return Err(Refused::Full);
        }
        state.control.push_back(item);
        wake(state);
        Ok(())
    }

    /// Lets room deliveries through.
    pub fn open(&self) {
        let mut state = self.lock();
        state.open = true;
        wake(state);
    }

    /// Ends the socket with a close frame, always accepted. Frames already
    /// queued go first (so acks are not lost on a drain), except for a reader
    /// closed for being too slow, which gets its close frame at once.
    pub fn close(&self, code: u16, reason: &str) {
        let mut state = self.lock();
        if state.close.is_some() {
            return;
        }
        if code == close::TOO_SLOW {
            state.data.clear();
        }
        state.close = Some(CloseReason {
            code: CloseCode::from(code),
            description: Some(reason.to_owned()),
        });
        wake(state);
    }
}

fn wake(mut state: MutexGuard<'_, State>) {
    let waker = state.waker.take();
    drop(state);
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// The WebSocket response body: drains an [`Outbox`] into the connection.
pub struct OutboxBody {
    outbox: Arc<Outbox>,
    codec: Codec,
    finished: bool,
}

impl OutboxBody {
    pub fn new(outbox: Arc<Outbox>) -> Self {
        OutboxBody {
            outbox,
            codec: Codec::new(),
            finished: false,
        }
    }
}

impl MessageBody for OutboxBody {
    type Error = ProtocolError;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        let mut buf = BytesMut::new();
        let mut state = this.outbox.lock();
        while buf.len() < CHUNK {
            let message = if let Some(item) = state.control.pop_front() {
                match item {
                    Control::Text(text) => Message::Text(text),
                    Control::Ping => Message::Ping(Bytes::new()),
                    Control::Pong(payload) => Message::Pong(payload),
                }
            } else if let Some(frame) = state.open.then(|| state.data.pop_front()).flatten() {
                Message::Text(frame)
            } else if let Some(reason) = state.close.take() {
                this.finished = true;
                Message::Close(Some(reason))
            } else {
                break;
            };
            this.codec.encode(message, &mut buf)?;
            if this.finished {
                break;
            }
        }
        if buf.is_empty() {
            state.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        Poll::Ready(Some(Ok(buf.freeze())))
    }
}

impl Drop for OutboxBody {
    fn drop(&mut self) {
        let mut state = self.outbox.lock();
        state.gone = true;
        state.control.clear();
        state.data.clear();
        state.waker = None;
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use actix_codec::Decoder;
    use actix_http::ws::Frame;

    use super::*;

    /// Everything the body yields now, decoded as a client would.
    fn drain(body: &mut OutboxBody) -> Vec<Frame> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut bytes = BytesMut::new();
        while let Poll::Ready(Some(chunk)) = Pin::new(&mut *body).poll_next(&mut cx) {
            bytes.extend_from_slice(&chunk.expect("encodes"));
        }
        let mut client = Codec::new().client_mode();
        let mut frames = Vec::new();
        while let Some(frame) = client.decode(&mut bytes).expect("decodes") {
            frames.push(frame);
        }
        frames
    }

    fn text(s: &str) -> Frame {
        Frame::Text(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn deliveries_wait_for_the_gate_and_replies_do_not() {
        let outbox = Outbox::new(8);
        let mut body = OutboxBody::new(outbox.clone());
        outbox.deliver("m1".into()).unwrap();
        outbox.reply("ready".into()).unwrap();
        assert_eq!(drain(&mut body), vec![text("ready")]);
        outbox.open();
        outbox.deliver("m2".into()).unwrap();
        assert_eq!(drain(&mut body), vec![text("m1"), text("m2")]);
    }

    #[test]
    fn a_full_queue_is_reported_once_then_refused() {
        let outbox = Outbox::new(2);
        let _body = OutboxBody::new(outbox.clone());
        outbox.deliver("a".into()).unwrap();
        outbox.deliver("b".into()).unwrap();
        assert_eq!(outbox.deliver("c".into()), Err(Refused::Full));
        assert_eq!(outbox.deliver("d".into()), Err(Refused::Closed));
    }

    #[test]
    fn close_flushes_what_is_queued_first_unless_too_slow() {
        let outbox = Outbox::new(8);
        let mut body = OutboxBody::new(outbox.clone());
        outbox.open();
        outbox.deliver("ack".into()).unwrap();
        outbox.close(1001, "restarting");
        assert_eq!(outbox.deliver("late".into()), Err(Refused::Closed));
        let frames = drain(&mut body);
        assert_eq!(frames[0], text("ack"));
        assert!(matches!(&frames[1], Frame::Close(Some(r)) if r.code == CloseCode::Away));
        assert_eq!(frames.len(), 2);

        let outbox = Outbox::new(8);
        let mut body = OutboxBody::new(outbox.clone());
        outbox.open();
        outbox.deliver("stale".into()).unwrap();
        outbox.close(close::TOO_SLOW, "too slow");
        let frames = drain(&mut body);
        assert!(
            matches!(&frames[..], [Frame::Close(Some(r))] if r.code == CloseCode::Other(close::TOO_SLOW))
        );
    }

    #[test]
    fn a_dropped_body_refuses_everything() {
        let outbox = Outbox::new(8);
        drop(OutboxBody::new(outbox.clone()));
        assert_eq!(outbox.deliver("x".into()), Err(Refused::Closed));
        assert_eq!(outbox.reply("x".into()), Err(Refused::Closed));
    }
}
