//! A WebSocket on its raw TCP socket, after the HTTP upgrade: frames are
//! read and written here on buffers sized to the traffic, empty while the
//! socket is idle, instead of on the HTTP dispatcher's fixed 8 KiB read and
//! write buffers, which it keeps for the life of a connection (see
//! BENCHMARKS.md, "idle memory").
//!
//! The socket is shared (`Arc`): the session actor reads it (a [`Reader`]
//! is the actor's stream), the connection's task writes it ([`write_body`]),
//! and tokio's readiness is per direction, so neither waits for the other.

mod reader;
mod writer;

pub use reader::{Reader, Received};
pub use writer::write_body;

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::rt::net::TcpStream;
use socket2::SockRef;

/// One upgraded connection's socket.
pub type Socket = Arc<TcpStream>;

/// A handle that can reset a connection while it is open, without keeping
/// it open: the connection ends when its reader and writer are done.
#[derive(Clone)]
pub struct ConnSocket(Weak<TcpStream>);

impl ConnSocket {
    pub fn new(socket: &Socket) -> ConnSocket {
        ConnSocket(Arc::downgrade(socket))
    }

    /// Resets the connection (RST, dropping unsent data) if it is still
    /// open: a writer blocked on a peer that stopped reading then fails and
    /// ends. Returns whether it was open.
    pub fn abort(&self) -> bool {
        let Some(tcp) = self.0.upgrade() else {
            return false;
        };
        let socket = SockRef::from(&*tcp);
        let _ = socket.set_linger(Some(Duration::ZERO));
        let _ = socket.shutdown(std::net::Shutdown::Both);
        true
    }
}
