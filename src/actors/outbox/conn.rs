//! A handle on a connection's TCP socket, so a WebSocket whose close frame
//! cannot be written (the peer stopped reading) can be aborted: the HTTP
//! layer never polls a response body while the socket's buffers are full,
//! so nothing in the body can end such a connection.
//!
//! The handle is made when the connection is accepted and kept in the
//! connection's data, which the HTTP dispatcher drops before it closes the
//! socket; from then on the handle refuses to touch the descriptor, so an
//! abort can never hit a later connection that reused the number.

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use socket2::SockRef;

struct Live {
    fd: RawFd,
    peer: Option<SocketAddr>,
}

/// The socket of one connection, usable while the connection lives.
#[derive(Clone)]
pub struct ConnSocket(Arc<Mutex<Option<Live>>>);

/// Kept in the connection's data; dropping it (with the connection) retires
/// the handle.
pub struct ConnGuard(ConnSocket);

impl ConnGuard {
    pub fn new(stream: &impl AsRawFd, peer: Option<SocketAddr>) -> ConnGuard {
        let live = Live {
            fd: stream.as_raw_fd(),
            peer,
        };
        ConnGuard(ConnSocket(Arc::new(Mutex::new(Some(live)))))
    }

    pub fn socket(&self) -> ConnSocket {
        self.0.clone()
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        // Waits for an abort in progress, so the descriptor is still open then.
        *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl ConnSocket {
    /// Resets the connection (RST, dropping unsent data) if it is still
    /// open; the dispatcher then sees the error and frees its buffers.
    /// Returns whether it was open.
    pub fn abort(&self) -> bool {
        let live = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(live) = live.as_ref() else {
            return false;
        };
        // SAFETY: the guard keeps `fd` open while `live` is set: the
        // dispatcher drops the guard (waiting on this lock) before it
        // closes the socket.
        let fd = unsafe { BorrowedFd::borrow_raw(live.fd) };
        let socket = SockRef::from(&fd);
        // Belt and braces: the same peer as when accepted.
        if live.peer.is_some() && socket.peer_addr().ok().and_then(|a| a.as_socket()) != live.peer {
            return false;
        }
        let _ = socket.set_linger(Some(Duration::ZERO));
        let _ = socket.shutdown(std::net::Shutdown::Both);
        true
    }
}
