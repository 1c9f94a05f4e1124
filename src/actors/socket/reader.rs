//! Reads a WebSocket's frames off its socket into a buffer that exists only
//! while bytes are waiting: it is allocated small when the socket becomes
//! readable, grows for a large frame or a burst, and is freed as soon as
//! every complete frame in it has been handed on.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_codec::Decoder;
use actix_http::ws::{CloseReason, Codec, Frame, Item, ProtocolError};
use actix_web::web::{Bytes, BytesMut};
use bytestring::ByteString;
use futures_util::Stream;

use super::Socket;

/// The first read into an empty buffer: client frames are mostly a few
/// hundred bytes.
const FIRST_READ: usize = 1024;
/// A read is never offered less room than this (the buffer grows first).
const MIN_ROOM: usize = 256;
/// The most a single read asks for.
const MAX_READ: usize = 64 * 1024;
/// A buffer left holding a small tail of a burst is copied to a fitting one
/// when its allocation is larger than this.
const KEEP_AT_MOST: usize = 16 * 1024;

/// A complete message from the client (continuations already joined).
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    Text(ByteString),
    Binary(Bytes),
    Ping(Bytes),
    Pong(Bytes),
    Close(Option<CloseReason>),
}

/// The client's messages, as the session actor's stream. Ends at EOF;
/// after an error it yields nothing more.
pub struct Reader {
    socket: Socket,
    buf: BytesMut,
    codec: Codec,
    /// The largest message, fragmented or not.
    max_size: usize,
    /// The fragments of a message in progress, and whether it is text.
    parts: Vec<Bytes>,
    parts_len: usize,
    parts_text: bool,
    done: bool,
}

impl Reader {
    /// `leftover`: bytes the client sent right behind its upgrade request.
    pub fn new(socket: Socket, leftover: BytesMut, max_size: usize) -> Reader {
        Reader {
            socket,
            buf: leftover,
            codec: Codec::new().max_size(max_size),
            max_size,
            parts: Vec::new(),
            parts_len: 0,
            parts_text: false,
            done: false,
        }
    }

    /// One frame decoded: a whole message, or `None` while fragments of
    /// one are still coming.
    fn assemble(&mut self, frame: Frame) -> Result<Option<Received>, ProtocolError> {
        let whole = |text: bool, bytes: Bytes| {
            if text {
                ByteString::try_from(bytes)
                    .map(Received::Text)
                    .map_err(|e| ProtocolError::Io(io::Error::new(io::ErrorKind::InvalidData, e)))
            } else {
                Ok(Received::Binary(bytes))
            }
        };
        Ok(Some(match frame {
            Frame::Text(bytes) => whole(true, bytes)?,
            Frame::Binary(bytes) => Received::Binary(bytes),
            Frame::Ping(bytes) => Received::Ping(bytes),
            Frame::Pong(bytes) => Received::Pong(bytes),
            Frame::Close(reason) => Received::Close(reason),
            Frame::Continuation(item) => {
                let (bytes, last) = match item {
                    Item::FirstText(bytes) => {
                        self.parts_text = true;
                        (bytes, false)
                    }
                    Item::FirstBinary(bytes) => {
                        self.parts_text = false;
                        (bytes, false)
                    }
                    Item::Continue(bytes) => (bytes, false),
                    Item::Last(bytes) => (bytes, true),
                };
                self.parts_len += bytes.len();
                if self.parts_len > self.max_size {
                    // The contract's 1009, as for one frame over the limit.
                    self.parts.clear();
                    return Err(ProtocolError::Overflow);
                }
                self.parts.push(bytes);
                if !last {
                    return Ok(None);
                }
                let mut joined = BytesMut::with_capacity(self.parts_len);
                for part in self.parts.drain(..) {
                    joined.extend_from_slice(&part);
                }
                self.parts = Vec::new();
                self.parts_len = 0;
                whole(self.parts_text, joined.freeze())?
            }
        }))
    }

    /// Gives the buffer's memory back once it is not needed: an empty
    /// buffer is freed, a small tail of a large one is moved to a small one.
    fn shrink(&mut self) {
        if self.buf.is_empty() {
            self.buf = BytesMut::new();
        } else if self.buf.capacity() > KEEP_AT_MOST && self.buf.len() <= KEEP_AT_MOST / 4 {
            self.buf = BytesMut::from(&self.buf[..]);
        }
    }

    fn fail(&mut self, e: ProtocolError) -> Poll<Option<Result<Received, ProtocolError>>> {
        self.done = true;
        self.buf = BytesMut::new();
        self.parts = Vec::new();
        Poll::Ready(Some(Err(e)))
    }
}

impl Stream for Reader {
    type Item = Result<Received, ProtocolError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match this.codec.decode(&mut this.buf) {
                Ok(Some(frame)) => match this.assemble(frame) {
                    Ok(Some(message)) => {
                        this.shrink();
                        return Poll::Ready(Some(Ok(message)));
                    }
                    Ok(None) => continue,
                    Err(e) => return this.fail(e),
                },
                Ok(None) => {}
                Err(e) => return this.fail(e),
            }
            // Not a whole frame yet: wait for bytes, then make room for them.
            this.shrink();
            if let Err(e) = ready!(this.socket.poll_read_ready(cx)) {
                return this.fail(ProtocolError::Io(e));
            }
            let room = this.buf.capacity() - this.buf.len();
            if room < MIN_ROOM {
                let grow = this.buf.len().clamp(FIRST_READ, MAX_READ);
                this.buf.reserve(grow);
            }
            match this.socket.try_read_buf(&mut this.buf) {
                Ok(0) => {
                    this.done = true;
                    this.buf = BytesMut::new();
                    return Poll::Ready(None);
                }
                Ok(_) => {}
                // Readiness is cleared: the next `poll_read_ready` waits.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return this.fail(ProtocolError::Io(e)),
            }
        }
    }
}
