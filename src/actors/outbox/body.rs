//! The WebSocket response body: drains an [`Outbox`] into the connection.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_codec::Encoder;
use actix_http::body::{BodySize, MessageBody};
use actix_http::ws::{Codec, Message, ProtocolError};
use actix_web::web::{Bytes, BytesMut};

use super::{Control, Outbox};

/// One chunk handed to the connection holds at most about this many bytes,
/// so a long queue is written in pieces rather than copied at once.
const CHUNK: usize = 64 * 1024;

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
        let outbox = &*this.outbox;
        let mut buf = BytesMut::new();
        let mut state = outbox.lock();
        if state.hung_up {
            this.finished = true;
            return Poll::Ready(None);
        }
        let mut taken = 0usize;
        while buf.len() < CHUNK {
            let message = if let Some(item) = state.control.pop_front() {
                taken += item.cost();
                match item {
                    Control::Text(text) => Message::Text(text),
                    Control::Ping => Message::Ping(Bytes::new()),
                    Control::Pong(payload) => Message::Pong(payload),
                }
            } else if let Some(frame) = state.open.then(|| state.data.pop_front()).flatten() {
                taken += frame.len();
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
        if taken > 0 {
            outbox.count(&mut state, -(taken as i64));
        }
        if buf.is_empty() {
            state.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        drop(state);
        if taken > 0 {
            outbox.drained();
        }
        Poll::Ready(Some(Ok(buf.freeze())))
    }
}

impl Drop for OutboxBody {
    fn drop(&mut self) {
        let outbox = &*self.outbox;
        let mut state = outbox.lock();
        state.gone = true;
        outbox.clear(&mut state);
        state.waker = None;
        drop(state);
        outbox.drained.notify_waiters();
    }
}
