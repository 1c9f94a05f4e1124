//! A client that never reads cannot pin server memory: `sync` replies are
//! paced by what the socket drains, a session's queue has a byte budget
//! (over it: 4008 and both lanes dropped), and a socket whose close frame
//! cannot be written is aborted.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use actix_codec::Encoder;
use actix_http::ws::{Codec, Message};
use actix_web::web::BytesMut;
use serde_json::json;
use socket2::{Domain, Socket, Type};

use crate::helpers::{test_database, TestApp};
use crate::process::start_with_args;

/// A line of /proc/PID/status, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A WebSocket on a plain TCP socket with a 4 KiB receive buffer, which the
/// test writes to and (until it says so) never reads.
pub struct Sluggard {
    stream: TcpStream,
    codec: Codec,
}

impl Sluggard {
    pub fn connect(port: u16, token: &str) -> Sluggard {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        socket.connect(&addr.into()).unwrap();
        let mut stream: TcpStream = socket.into();
        let request = format!(
            "GET /api/v1/ws?access_token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).unwrap();
        // Read the response head byte by byte so nothing after it is consumed.
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        Sluggard {
            stream,
            codec: Codec::new().client_mode(),
        }
    }

    pub fn send(&mut self, frame: serde_json::Value) {
        let mut buf = BytesMut::new();
        self.codec
            .encode(Message::Text(frame.to_string().into()), &mut buf)
            .unwrap();
        self.stream.write_all(&buf).unwrap();
    }

    /// Reads until the server ends the connection, at most `limit` bytes and
    /// `wait` long; returns the bytes read and whether the connection ended.
    pub fn drain(&mut self, limit: usize, wait: Duration) -> (usize, bool) {
        let deadline = Instant::now() + wait;
        self.stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0;
        while total < limit && Instant::now() < deadline {
            match self.stream.read(&mut buf) {
                Ok(0) => return (total, true),
                Ok(n) => total += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return (total, true),
            }
        }
        (total, false)
    }
}

/// A message body of 4000 characters that is 16 KB on the wire.
fn heavy_body(n: usize) -> String {
    format!("{n} {}", "😀".repeat(3990))
}

/// Starts the real binary with `extra` flags, and a chat of `ann` with
/// `bob` as a member holding `count` heavy messages.
async fn heavy_chat(
    extra: &[&str],
    count: usize,
) -> (crate::process::Server, TestApp, String, String, i64) {
    let (url, db) = test_database();
    let files = tempfile::tempdir().unwrap();
    let server = start_with_args(&url, files.path(), extra);
    let app = TestApp::external(server.port, &url, db);
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "heavy", &["bob"], false).await;
    post_heavy(&app, &ann.token, chat, count).await;
    (server, app, ann.token, bob.token, chat)
}

async fn post_heavy(app: &TestApp, token: &str, chat: i64, count: usize) {
    for n in 0..count {
        let res = app.send_rest(token, chat, &heavy_body(n), None).await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
}

#[actix_web::test]
async fn sockets_that_never_read_do_not_pin_memory_with_sync_replies() {
    let (server, _app, _ann, bob, chat) = heavy_chat(&[], 300).await;
    let pid = server.child.id();
    let before = status_kib(pid, "VmRSS:");
    // Three sockets, five syncs of 300 × 16 KB each: 72 MB if queued at once.
    let mut sockets: Vec<Sluggard> = (0..3)
        .map(|_| Sluggard::connect(server.port, &bob))
        .collect();
    for socket in &mut sockets {
        for _ in 0..5 {
            socket.send(json!({"type": "sync", "chat_id": chat, "after_id": 0, "limit": 500}));
        }
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let after = status_kib(pid, "VmRSS:");
    println!("server RSS {before} -> {after} KiB with 3 sockets that never read");
    let grew = after.saturating_sub(before);
    assert!(
        grew < 24 * 1024,
        "RSS grew by {grew} KiB: sync replies were queued whole for sockets that never read"
    );
    // The sockets were paced, not dropped: one that starts reading gets its replies.
    let (read, ended) = sockets[0].drain(1024 * 1024, Duration::from_secs(5));
    assert!(
        !ended && read >= 1024 * 1024,
        "read {read} bytes, ended {ended}"
    );
}

#[actix_web::test]
async fn a_reader_over_its_byte_budget_is_closed_and_its_socket_aborted() {
    let (server, app, ann, bob, chat) = heavy_chat(&[], 0).await;
    let mut reader = Sluggard::connect(server.port, &bob);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // 400 × 16 KB = 6.4 MB of deliveries: more than the kernel buffers and
    // the 1 MiB budget together, far fewer frames than the frame bound.
    post_heavy(&app, &ann, chat, 400).await;
    // The close frame cannot be written (nobody reads): within a few
    // seconds the server aborts the connection rather than keeping it.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let (read, ended) = reader.drain(8 * 1024 * 1024, Duration::from_secs(3));
    assert!(
        ended && read < 5 * 1024 * 1024,
        "after the budget was exceeded the connection was kept ({read} bytes readable, ended {ended})"
    );
    let metrics = app.get("/metrics", None).await;
    let text = metrics.body.as_str().unwrap_or_default().to_owned();
    assert!(text.contains("ws_closes_total{code=\"4008\"} 1"), "{text}");
    let queued = text
        .lines()
        .find(|l| l.starts_with("microchat_ws_queued_bytes "))
        .expect("queued-bytes gauge");
    assert_eq!(queued, "microchat_ws_queued_bytes 0", "memory returned");
}
