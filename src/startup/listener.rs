//! The listening socket, opened before anything else starts.

use std::net::{SocketAddr, TcpListener};

/// How many connections may wait to be accepted. std's `TcpListener::bind`
/// fixes this at 128, so a reconnect storm (a restart, a network blip) overflows
/// it and the dropped clients wait a full second to retry their SYN.
const BACKLOG: i32 = 4096;

pub(super) fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // As std does: a restarted server can bind while old connections linger.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}
