//! The bare broadcast reference server: the same actix-web + actix-ws stack
//! as microchat with no auth and no storage, speaking just enough of API.md
//! (`ready`, `send` → `ack` + `message`, `ping` → `pong`) that every scenario
//! runs against it unchanged. Its numbers are what the stack itself carries on
//! this machine; microchat is reported as a ratio of them.
//!
//! The "token" names the user and its rooms: `bare:<user_id>:<chat>,<chat>`.
//! Each message is serialised once and the same bytes go to every socket.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use actix_ws::Message;
use bytestring::ByteString as Bytes;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

type Outbox = mpsc::UnboundedSender<Bytes>;

#[derive(Default)]
struct Rooms {
    members: RwLock<HashMap<i64, Vec<(u64, Outbox)>>>,
    next_session: AtomicU64,
    next_message: AtomicU64,
}

/// Who a bare "token" says the socket belongs to.
struct Identity {
    user_id: i64,
    chats: Vec<i64>,
}

fn parse_token(token: &str) -> Option<Identity> {
    let mut parts = token.strip_prefix("bare:")?.splitn(2, ':');
    let user_id = parts.next()?.parse().ok()?;
    let chats = match parts.next() {
        None | Some("") => Vec::new(),
        Some(list) => list
            .split(',')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?,
    };
    Some(Identity { user_id, chats })
}

#[derive(Deserialize)]
struct Query {
    access_token: String,
}

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    chat_id: Option<i64>,
    body: Option<String>,
    client_id: Option<String>,
}

/// Runs the bare server until SIGINT/SIGTERM. Prints `listening on ADDR` once
/// bound, so a parent process can use port 0.
pub async fn serve(bind: SocketAddr, workers: usize) -> std::io::Result<()> {
    let rooms = web::Data::new(Rooms::default());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(rooms.clone())
            .route("/healthz", web::get().to(HttpResponse::Ok))
            .route("/api/v1/ws", web::get().to(ws))
            .route("/api/v1/chats/{id}/messages", web::get().to(history))
    })
    // Realtime frames are small: send each at once rather than wait for the
    // peer's delayed ACK (actix-web keeps the OS default, Nagle on).
    .tcp_nodelay(true)
    .workers(workers)
    .backlog(4096)
    .max_connections(100_000)
    .bind(bind)?;
    for addr in server.addrs() {
        println!("listening on {addr}");
    }
    server.run().await
}

/// No storage: the history of every chat is empty. It still measures the
/// HTTP stack's request cost for the `history` scenario.
async fn history() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body("[]")
}

async fn ws(
    req: HttpRequest,
    body: web::Payload,
    query: web::Query<Query>,
    rooms: web::Data<Rooms>,
) -> actix_web::Result<HttpResponse> {
    let Some(me) = parse_token(&query.access_token) else {
        return Ok(HttpResponse::Unauthorized().finish());
    };
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let session_id = rooms.next_session.fetch_add(1, Ordering::Relaxed) + 1;
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    {
        let mut members = rooms.members.write().expect("rooms lock");
        for chat in &me.chats {
            members
                .entry(*chat)
                .or_default()
                .push((session_id, tx.clone()));
        }
    }
    let ready = format!(
        r#"{{"type":"ready","user":{{"id":{0},"username":"bare-{0}","role":"user"}},"session_id":"{1}","online":[]}}"#,
        me.user_id, session_id
    );
    let _ = tx.send(Bytes::from(ready));

    let mut writer = session.clone();
    actix_web::rt::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if writer.text(frame).await.is_err() {
                break;
            }
        }
    });

    let mut session = session;
    let rooms = rooms.into_inner();
    actix_web::rt::spawn(async move {
        let mut stream = stream.max_frame_size(64 * 1024);
        while let Some(Ok(msg)) = stream.next().await {
            match msg {
                Message::Text(text) => on_frame(&rooms, &me, session_id, &tx, &text),
                Message::Ping(p) if session.pong(&p).await.is_err() => break,
                Message::Close(_) => break,
                _ => {}
            }
        }
        leave(&rooms, &me.chats, session_id);
        let _ = session.close(None).await;
    });
    Ok(response)
}

fn leave(rooms: &Rooms, chats: &[i64], session_id: u64) {
    let mut members = rooms.members.write().expect("rooms lock");
    for chat in chats {
        if let Some(list) = members.get_mut(chat) {
            list.retain(|(id, _)| *id != session_id);
        }
    }
}

fn error(code: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"type":"error","code":"{code}","message":"{code}"}}"#
    ))
}

fn on_frame(rooms: &Rooms, me: &Identity, session_id: u64, tx: &Outbox, text: &str) {
    let Ok(frame) = serde_json::from_str::<Frame>(text) else {
        let _ = tx.send(error("bad_request"));
        return;
    };
    match frame.kind.as_str() {
        "ping" => {
            let _ = tx.send(Bytes::from_static(r#"{"type":"pong"}"#));
        }
        "send" => {
            let (Some(chat_id), Some(body)) = (frame.chat_id, frame.body) else {
                let _ = tx.send(error("bad_request"));
                return;
            };
            if !me.chats.contains(&chat_id) {
                let _ = tx.send(error("forbidden"));
                return;
            }
            let id = rooms.next_message.fetch_add(1, Ordering::Relaxed) + 1;
            let message = serde_json::json!({
                "id": id,
                "chat_id": chat_id,
                "sender": {"id": me.user_id, "username": format!("bare-{}", me.user_id)},
                "body": body,
                "client_id": frame.client_id,
                "created_at": crate::clock::rfc3339_now(),
            });
            let delivery = Bytes::from(
                serde_json::json!({"type": "message", "message": &message}).to_string(),
            );
            let ack = serde_json::json!({"type": "ack", "client_id": frame.client_id, "message": message});
            let _ = tx.send(Bytes::from(ack.to_string()));
            let members = rooms.members.read().expect("rooms lock");
            for (id, outbox) in members.get(&chat_id).into_iter().flatten() {
                if *id != session_id {
                    let _ = outbox.send(delivery.clone());
                }
            }
        }
        _ => {
            let _ = tx.send(error("bad_request"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_the_user_and_its_rooms() {
        let id = parse_token("bare:7:1,2").unwrap();
        assert_eq!((id.user_id, id.chats), (7, vec![1, 2]));
        assert!(parse_token("bare:7:").unwrap().chats.is_empty());
        assert!(parse_token("bare:7").unwrap().chats.is_empty());
        assert!(parse_token("eyJhbGciOi").is_none());
        assert!(parse_token("bare:x:1").is_none());
    }
}
