//! The WebSocket on its own socket (issue 12): an upgrade is answered by the
//! application like any request (refusals keep the contract's statuses and
//! shape), bytes sent right behind the upgrade request are not lost, bursts
//! larger than the small idle buffers arrive whole, fragmented messages are
//! joined and bounded, and a client that just drops the connection ends its
//! session.
//!
//! Raw sockets run on a blocking thread: the test's own thread runs the
//! server's hub, which must not be blocked.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use actix_http::ws::Item;
use awc::ws::Message;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with};
use crate::ws_client::Event;

const KEY_HEADERS: &str = "Connection: Upgrade\r\nUpgrade: websocket\r\n\
    Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

/// A client text frame (masked, as clients must).
fn masked_text(payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x81];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= 0xffff => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Reads an HTTP response head; returns it and the bytes that followed.
fn read_head(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            return (head, buf[end + 4..].to_vec());
        }
        let n = stream.read(&mut chunk).expect("reads the response head");
        assert!(n > 0, "connection closed before a response head");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Reads server frames (unmasked) until `count` text frames arrived.
fn read_texts(stream: &mut TcpStream, mut buf: Vec<u8>, count: usize) -> Vec<Value> {
    let mut texts = Vec::new();
    let mut chunk = [0u8; 65536];
    while texts.len() < count {
        if let Some((opcode, payload, used)) = parse_frame(&buf) {
            buf.drain(..used);
            if opcode == 1 {
                texts.push(serde_json::from_slice(&payload).expect("JSON frame"));
            }
            continue;
        }
        let n = stream.read(&mut chunk).expect("reads frames");
        assert!(n > 0, "closed after {} of {count} frames", texts.len());
        buf.extend_from_slice(&chunk[..n]);
    }
    texts
}

fn parse_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    if buf.len() < 2 {
        return None;
    }
    let (len, at) = match buf[1] & 0x7f {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
        127 if buf.len() >= 10 => (
            u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
            10,
        ),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    (buf.len() >= at + len).then(|| (buf[0] & 0x0f, buf[at..at + len].to_vec(), at + len))
}

/// Sends `request` (and anything after it) in one write; returns the
/// response head, the bytes after it, and the socket.
async fn raw(port: u16, request: Vec<u8>) -> (String, Vec<u8>, TcpStream) {
    actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(&request).expect("request sent");
        let (head, rest) = read_head(&mut stream);
        (head, rest, stream)
    })
    .await
    .expect("blocking client")
}

fn upgrade_request(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: x\r\n{KEY_HEADERS}\r\n").into_bytes()
}

#[actix_web::test]
async fn refused_upgrades_keep_the_contracts_status_and_shape() {
    let app = spawn_app().await;
    let (head, body, _) = raw(app.port, upgrade_request("/api/v1/ws?access_token=nope")).await;
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    assert!(head.to_lowercase().contains("x-request-id:"), "{head}");
    let body: Value = serde_json::from_slice(&body).expect("JSON error");
    assert_eq!(body["error"]["code"], "unauthorized");

    // An upgrade to a route that is not a WebSocket is answered by that route.
    let (head, body, _) = raw(app.port, upgrade_request("/api/v1/no-such-thing")).await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert!(head.to_lowercase().contains("connection: close"), "{head}");
    let body: Value = serde_json::from_slice(&body).expect("JSON error");
    assert_eq!(body["error"]["code"], "not_found");
    let (head, _, _) = raw(app.port, upgrade_request("/healthz")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    // The WebSocket route without an upgrade is a bad request.
    let res = app.get("/api/v1/ws", None).await;
    res.assert_error(400, "bad_request");
    // A broken handshake (no key) too.
    let request = "GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n\
        Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n";
    let (head, _, _) = raw(app.port, request.as_bytes().to_vec()).await;
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
}

#[actix_web::test]
async fn frames_sent_with_the_upgrade_request_are_read() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let mut request = upgrade_request(&format!("/api/v1/ws?access_token={}", ann.token));
    request.extend(masked_text(br#"{"type":"ping","ref":"early"}"#));
    let (head, rest, mut stream) = raw(app.port, request).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let frames = actix_web::rt::task::spawn_blocking(move || read_texts(&mut stream, rest, 2))
        .await
        .unwrap();
    let pong = frames.iter().find(|f| f["type"] == "pong").expect("pong");
    assert_eq!(pong["ref"], "early");
    assert!(frames.iter().any(|f| f["type"] == "ready"), "{frames:?}");
}

#[actix_web::test]
async fn a_burst_far_larger_than_the_idle_buffer_arrives_whole() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let (mut ws, _) = app.ws(&ann.token).await;
    // 300 frames of ~700 bytes written at once (~200 KiB), then one of 60 KiB.
    let pad = "x".repeat(700);
    for i in 0..300 {
        let frame = json!({"type": "ping", "ref": i, "pad": pad}).to_string();
        ws.feed_text(frame).await;
    }
    let big = json!({"type": "ping", "ref": "big", "pad": "y".repeat(60 * 1024)});
    ws.feed_text(big.to_string()).await;
    ws.flush().await;
    for i in 0..300 {
        let pong = ws.next_json().await;
        assert_eq!(pong, json!({"type": "pong", "ref": i}));
    }
    assert_eq!(ws.next_json().await, json!({"type": "pong", "ref": "big"}));
    // And the socket still answers after it went idle again.
    ws.send(json!({"type": "ping", "ref": "after"})).await;
    assert_eq!(ws.next_json().await["ref"], "after");
}

#[actix_web::test]
async fn fragmented_messages_are_joined_and_bounded_by_64_kib() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let (mut ws, _) = app.ws(&ann.token).await;
    let text = json!({"type": "ping", "ref": "joined", "pad": "z".repeat(30 * 1024)}).to_string();
    let (a, rest) = text.split_at(10);
    let (b, c) = rest.split_at(20 * 1024);
    ws.send_frame(Message::Continuation(Item::FirstText(a.to_owned().into())))
        .await;
    ws.send_frame(Message::Continuation(Item::Continue(b.to_owned().into())))
        .await;
    ws.send_frame(Message::Continuation(Item::Last(c.to_owned().into())))
        .await;
    assert_eq!(ws.next_json().await["ref"], "joined");

    // 40 + 30 KiB: each fragment fits, the message does not.
    let part = "w".repeat(40 * 1024);
    ws.send_frame(Message::Continuation(Item::FirstText(part.clone().into())))
        .await;
    ws.send_frame(Message::Continuation(Item::Last(
        part[..30 * 1024].to_owned().into(),
    )))
    .await;
    assert_eq!(ws.closed(Duration::from_secs(5)).await, Some(1009));
}

#[actix_web::test]
async fn a_dropped_connection_ends_its_session_and_frees_its_place() {
    let app = spawn_app_with(|s| s.ws_sessions_per_user = 1).await;
    let ann = app.signup("ann").await;
    let path = format!("/api/v1/ws?access_token={}", ann.token);
    let (head, rest, mut stream) = raw(app.port, upgrade_request(&path)).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let stream = actix_web::rt::task::spawn_blocking(move || {
        read_texts(&mut stream, rest, 1);
        stream
    })
    .await
    .unwrap();
    assert_eq!(
        app.ws_try(&path).await.err(),
        Some(429),
        "the place is taken"
    );
    // Gone without a close frame.
    drop(stream);
    for _ in 0..50 {
        if let Ok(mut ws) = app.ws_try(&path).await {
            match ws.event(Duration::from_secs(5)).await {
                Event::Json(ready) => assert_eq!(ready["type"], "ready"),
                other => panic!("expected ready, got {other:?}"),
            }
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the dropped connection's place was never given back");
}
