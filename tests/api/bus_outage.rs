//! Redis goes away mid-stream and comes back: every member still gets every
//! message exactly once, without `sync`. The test runs its own redis-server
//! on a free port (never the shared one) so it can kill and restart it.
//! Runs when MICROCHAT_TEST_REDIS_URL is set (Redis is installed).

use std::cell::RefCell;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{spawn_app_with, TestApp};
use crate::ws_client::{Event, Ws};

/// A redis-server of the test's own; killed on drop.
pub(crate) struct OwnRedis {
    pub port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    pub async fn start() -> OwnRedis {
        let port = crate::cluster::free_port();
        let mut redis = OwnRedis { port, child: None };
        redis.restart().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub async fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts (is Redis installed?)");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server on {} did not start", self.port);
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn enabled() -> bool {
    let set = std::env::var("MICROCHAT_TEST_REDIS_URL").is_ok_and(|v| !v.is_empty());
    if !set {
        println!("skipped: MICROCHAT_TEST_REDIS_URL is not set");
    }
    set
}

/// Two instances on one database and the given Redis.
async fn pair_on(redis: &str) -> (TestApp, TestApp) {
    let url = redis.to_owned();
    let a = spawn_app_with(move |s| s.redis_url = Some(url)).await;
    let (url, db) = (redis.to_owned(), a.settings.database_url.clone());
    let b = spawn_app_with(move |s| {
        s.redis_url = Some(url);
        s.database_url = db;
    })
    .await;
    (a, b)
}

/// Every message id a socket sees (its acks and others' messages), in order.
type Seen = Rc<RefCell<Vec<i64>>>;

/// Reads a socket until it has been quiet for `quiet`, recording ids.
fn record(mut ws: Ws, seen: Seen, quiet: Duration) -> actix_web::rt::task::JoinHandle<Ws> {
    actix_web::rt::spawn(async move {
        loop {
            match ws.event(quiet).await {
                Event::Json(f) if f["type"] == "ack" || f["type"] == "message" => {
                    seen.borrow_mut().push(f["message"]["id"].as_i64().unwrap())
                }
                Event::Json(_) => {}
                Event::Silence => return ws,
                Event::Closed(code) => panic!("socket closed: {code:?}"),
            }
        }
    })
}

/// Ann and Bob each send one message, then take what has arrived so far.
async fn step(ann: &mut Ws, bob: &mut Ws, seen: &[Seen], chat: i64, tag: &str) {
    for (ws, s, who) in [(ann, &seen[0], "a"), (bob, &seen[1], "b")] {
        let id = format!("{who}-{tag}");
        ws.send(json!({"type": "send", "chat_id": chat, "body": id, "client_id": id}))
            .await;
        while let Event::Json(f) = ws.event(Duration::from_millis(20)).await {
            if f["type"] == "ack" || f["type"] == "message" {
                s.borrow_mut().push(f["message"]["id"].as_i64().unwrap());
            }
        }
    }
}

#[actix_web::test]
async fn after_a_redis_outage_every_member_has_every_message_once_without_sync() {
    if !enabled() {
        return;
    }
    let mut redis = OwnRedis::start().await;
    let (a, b) = pair_on(&redis.url()).await;
    let names = ["ann", "bob", "cat", "dan"];
    let mut accounts = Vec::new();
    for name in names {
        accounts.push(a.signup(name).await);
    }
    let chat = a
        .create_chat(&accounts[0].token, "blip", &names[1..], false)
        .await;
    // ann and cat on a, bob and dan on b; ann and bob send.
    let mut sockets = Vec::new();
    for (i, acc) in accounts.iter().enumerate() {
        let app = if i % 2 == 0 { &a } else { &b };
        sockets.push(app.ws(&acc.token).await.0);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (mut ann, mut bob) = (sockets.remove(0), sockets.remove(0));
    let seen: Vec<Seen> = (0..4).map(|_| Seen::default()).collect();
    let readers: Vec<_> = sockets
        .into_iter()
        .zip([&seen[2], &seen[3]])
        .map(|(ws, s)| record(ws, s.clone(), Duration::from_secs(8)))
        .collect();

    let mut n = 0;
    for _ in 0..10 {
        n += 1;
        step(&mut ann, &mut bob, &seen, chat, &format!("before-{n}")).await;
    }
    redis.kill();
    // Until a notices (its next look at Redis), within a generous deadline.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut ready = a.get("/readyz", None).await;
    while ready.status != 503 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        ready = a.get("/readyz", None).await;
    }
    assert_eq!(
        ready.status, 503,
        "readyz tells Redis is down: {}",
        ready.body
    );
    for _ in 0..20 {
        n += 1;
        step(&mut ann, &mut bob, &seen, chat, &format!("during-{n}")).await;
    }
    redis.restart().await;
    for _ in 0..10 {
        n += 1;
        step(&mut ann, &mut bob, &seen, chat, &format!("after-{n}")).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Until the catch-up is done and everything has arrived.
    for ws_seen in [(&mut ann, &seen[0]), (&mut bob, &seen[1])] {
        let (ws, s) = ws_seen;
        loop {
            match ws.event(Duration::from_secs(8)).await {
                Event::Json(f) if f["type"] == "ack" || f["type"] == "message" => {
                    s.borrow_mut().push(f["message"]["id"].as_i64().unwrap())
                }
                Event::Json(_) => {}
                Event::Silence => break,
                Event::Closed(code) => panic!("closed {code:?}"),
            }
        }
    }
    for reader in readers {
        reader.await.unwrap();
    }
    assert_eq!(a.get("/readyz", None).await.status, 200);

    let stored = a.history_ids(&accounts[0].token, chat, "?limit=100").await;
    assert_eq!(stored.len(), 80, "every send was stored");
    for (i, s) in seen.iter().enumerate() {
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for id in s.borrow().iter() {
            *counts.entry(*id).or_default() += 1;
        }
        let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{}: duplicates {twice:?}", names[i]);
        let missing: Vec<_> = stored
            .iter()
            .filter(|id| !counts.contains_key(id))
            .collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", names[i]);
    }
    let metrics = b.get("/metrics", None).await;
    let text = metrics.body.as_str().unwrap_or_default().to_owned();
    assert!(
        text.contains("microchat_bus_reconnects_total 1"),
        "{}",
        text.lines()
            .filter(|l| l.contains("bus_"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
