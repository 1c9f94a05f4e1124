//! The HTTP/WebSocket client every part of the load generator uses.
//!
//! awc's default connector leaves Nagle's algorithm on. With small frames
//! and several sends in flight that holds a write back until the server's
//! delayed ACK (~40 ms), which would be the harness's latency, not the
//! server's. This connector sets `TCP_NODELAY`, as any realtime client does.

use std::time::Duration;

use actix_rt::net::TcpStream;
use actix_service::fn_service;
use actix_tls::connect::{ConnectError, ConnectInfo, Connection};
use awc::http::Uri;

pub fn client(timeout: Duration) -> awc::Client {
    let tcp = fn_service(|info: ConnectInfo<Uri>| async move {
        let stream = TcpStream::connect((info.hostname(), info.port()))
            .await
            .map_err(ConnectError::Io)?;
        stream.set_nodelay(true).map_err(ConnectError::Io)?;
        Ok::<_, ConnectError>(Connection::new(info.request().clone(), stream))
    });
    awc::Client::builder()
        .connector(
            awc::Connector::new()
                .connector(tcp)
                .limit(0)
                .timeout(timeout),
        )
        .timeout(timeout)
        .finish()
}
