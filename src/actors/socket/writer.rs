//! Writes a WebSocket's outgoing body to its socket: each chunk the body
//! yields (every frame waiting, already encoded) goes out as it is, so
//! nothing is buffered here between bursts.

use std::future::poll_fn;
use std::io;
use std::pin::pin;

use actix_http::body::MessageBody;
use socket2::SockRef;

use super::Socket;

/// Sends what `body` yields until it ends (after the close frame), then
/// ends our side of the connection. Returns early if the socket fails
/// (the peer is gone, or the connection was reset).
pub async fn write_body<B: MessageBody>(socket: &Socket, body: B) {
    let mut body = pin!(body);
    loop {
        let chunk = match poll_fn(|cx| body.as_mut().poll_next(cx)).await {
            Some(Ok(chunk)) => chunk,
            Some(Err(_)) => return,
            None => break,
        };
        let mut written = 0;
        while written < chunk.len() {
            match socket.try_write(&chunk[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if socket.writable().await.is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    }
    let _ = SockRef::from(&**socket).shutdown(std::net::Shutdown::Write);
}
