//! A small WebSocket client for tests, on awc.

use std::time::Duration;

use actix_codec::Framed;
use awc::ws::{Codec, Frame, Message};
use awc::BoxedSocket;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub struct Ws {
    framed: Framed<BoxedSocket, Codec>,
}

/// What arrived instead of a text frame.
#[derive(Debug)]
pub enum Event {
    Json(Value),
    Closed(Option<u16>),
    Silence,
}

impl TestApp {
    /// Opens a socket with `?access_token=` and waits for `ready`.
    pub async fn ws(&self, token: &str) -> (Ws, Value) {
        let mut ws = self
            .ws_raw(&format!("/api/v1/ws?access_token={token}"))
            .await;
        let ready = ws.next_json().await;
        assert_eq!(ready["type"], "ready", "{ready}");
        (ws, ready)
    }

    /// Tries to open a socket: the status of a refused upgrade otherwise.
    pub async fn ws_try(&self, path: &str) -> Result<Ws, u16> {
        self.ws_try_with(path, &[]).await
    }

    /// Like [`ws_try`](Self::ws_try), with extra request headers (what a
    /// proxy in front would add).
    pub async fn ws_try_with(&self, path: &str, headers: &[(&str, &str)]) -> Result<Ws, u16> {
        let url = format!("ws://127.0.0.1:{}{path}", self.port);
        let mut request = self.client.ws(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        match request.connect().await {
            Ok((_, framed)) => Ok(Ws { framed }),
            Err(awc::error::WsClientError::InvalidResponseStatus(status)) => Err(status.as_u16()),
            Err(e) => panic!("websocket upgrade failed: {e}"),
        }
    }

    /// Like [`ws`](Self::ws), but `None` instead of a panic when the socket
    /// cannot be opened or closes before `ready` (a server going away).
    pub async fn try_ws(&self, token: &str) -> Option<(Ws, Value)> {
        let url = format!(
            "ws://127.0.0.1:{}/api/v1/ws?access_token={token}",
            self.port
        );
        let (_, framed) = self.client.ws(url).connect().await.ok()?;
        let mut ws = Ws { framed };
        match ws.event(Duration::from_secs(10)).await {
            Event::Json(ready) if ready["type"] == "ready" => Some((ws, ready)),
            _ => None,
        }
    }

    /// Opens a socket without authenticating.
    pub async fn ws_raw(&self, path: &str) -> Ws {
        let url = format!("ws://127.0.0.1:{}{path}", self.port);
        let (_, framed) = self
            .client
            .ws(url)
            .max_frame_size(1024 * 1024)
            .connect()
            .await
            .expect("websocket connects");
        Ws { framed }
    }
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        self.framed
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("frame sent");
    }

    /// Like [`send`](Self::send) but reports failure instead of panicking.
    pub async fn try_send(&mut self, frame: Value) -> bool {
        self.framed
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_ok()
    }

    /// Queues a text frame without flushing, so many go out in one write.
    pub async fn feed_text(&mut self, text: String) {
        self.framed
            .feed(Message::Text(text.into()))
            .await
            .expect("frame queued");
    }

    pub async fn flush(&mut self) {
        SinkExt::<Message>::flush(&mut self.framed)
            .await
            .expect("frames sent");
    }

    pub async fn send_frame(&mut self, message: Message) {
        self.framed.send(message).await.expect("frame sent");
    }

    pub async fn send_text(&mut self, text: String) {
        self.framed
            .send(Message::Text(text.into()))
            .await
            .expect("frame sent");
    }

    /// The next text frame, a close, or silence within `wait`. Pings are answered.
    pub async fn event(&mut self, wait: Duration) -> Event {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.framed.next()).await;
            match next {
                Err(_) => return Event::Silence,
                Ok(None) => return Event::Closed(None),
                Ok(Some(Err(_))) => return Event::Closed(None),
                Ok(Some(Ok(Frame::Text(bytes)))) => {
                    return Event::Json(serde_json::from_slice(&bytes).expect("JSON frame"))
                }
                Ok(Some(Ok(Frame::Ping(p)))) => {
                    let _ = self.framed.send(Message::Pong(p)).await;
                }
                Ok(Some(Ok(Frame::Close(reason)))) => {
                    return Event::Closed(reason.map(|r| r.code.into()))
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next frame, within a deadline generous enough for a loaded
    /// machine (it is a wait for something expected, not a bound).
    pub async fn next_json(&mut self) -> Value {
        match self.event(Duration::from_secs(30)).await {
            Event::Json(v) => v,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// The next frame of type `kind`, skipping presence and typing noise.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next_json().await;
            if frame["type"] == kind {
                return frame;
            }
            let noise = [
                "presence",
                "typing",
                "read",
                "chat_added",
                "members_changed",
            ];
            assert!(
                noise.contains(&frame["type"].as_str().unwrap_or("")),
                "expected {kind}, got {frame}"
            );
        }
    }

    /// Asserts nothing but noise arrives for `wait`.
    pub async fn assert_quiet(&mut self, wait: Duration) {
        loop {
            match self.event(wait).await {
                Event::Silence => return,
                Event::Json(v) if v["type"] == "presence" => {}
                other => panic!("expected silence, got {other:?}"),
            }
        }
    }

    /// Waits for the server to close the socket; returns the close code.
    pub async fn closed(&mut self, wait: Duration) -> Option<u16> {
        loop {
            match self.event(wait).await {
                Event::Closed(code) => return code,
                Event::Json(_) => {}
                Event::Silence => panic!("socket not closed within {wait:?}"),
            }
        }
    }

    /// Closes from the client side and waits for the server's answer.
    pub async fn close(mut self) {
        let _ = self.framed.send(Message::Close(None)).await;
        let _ = self.closed(Duration::from_secs(5)).await;
    }

    pub async fn send_message(&mut self, chat_id: i64, body: &str, client_id: &str) {
        self.send(
            json!({"type": "send", "chat_id": chat_id, "body": body, "client_id": client_id}),
        )
        .await;
    }
}
