//! PostgreSQL becomes unreachable under load and comes back: requests fail
//! fast with 503 instead of hanging, `/readyz` says so, and the pool recovers
//! by itself. The database is reached through a TCP proxy the test stops
//! and restarts (never the shared PostgreSQL itself). PostgreSQL runs only.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::spawn_app_with;
use crate::ws_client::Event;

/// A TCP forwarder to `target` on a fixed local port, which can drop every
/// connection and refuse new ones (`stop`), then accept again (`start`).
struct Proxy {
    port: u16,
    target: String,
    running: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn new(target: &str) -> Proxy {
        let mut proxy = Proxy {
            port: crate::cluster::free_port(),
            target: target.to_owned(),
            running: Arc::new(AtomicBool::new(false)),
            conns: Arc::default(),
        };
        proxy.start();
        proxy
    }

    fn start(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("proxy port free");
        listener.set_nonblocking(true).unwrap();
        let running = Arc::new(AtomicBool::new(true));
        self.running = running.clone();
        let (target, conns) = (self.target.clone(), self.conns.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut all = conns.lock().unwrap();
                all.push(client.try_clone().unwrap());
                all.push(server.try_clone().unwrap());
                pump(client.try_clone().unwrap(), server.try_clone().unwrap());
                pump(server, client);
            }
        });
    }

    /// Refuses new connections and cuts the open ones, as a stopped
    /// database would.
    fn stop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        for conn in self.conns.lock().unwrap().drain(..) {
            let _ = conn.shutdown(Shutdown::Both);
        }
        // The accept loop drops the listener within a few ms.
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

#[actix_web::test]
async fn with_postgres_gone_requests_fail_fast_with_503_and_the_pool_recovers() {
    let Ok(base) = std::env::var("MICROCHAT_TEST_DATABASE_URL") else {
        println!("skipped: MICROCHAT_TEST_DATABASE_URL is not set (PostgreSQL only)");
        return;
    };
    if base.is_empty() {
        println!("skipped: MICROCHAT_TEST_DATABASE_URL is not set (PostgreSQL only)");
        return;
    }
    let (url, _db) = crate::helpers::test_database();
    // postgres://user@host:port/db → the same through the proxy.
    let (head, rest) = url.split_once('@').expect("URL has a user");
    let (host, db) = rest.split_once('/').expect("URL names a database");
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let mut proxy = Proxy::new(&host);
    let proxied = format!("{head}@127.0.0.1:{}/{db}", proxy.port);
    let app = spawn_app_with(move |s| s.database_url = proxied).await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "outage", &[], false).await;
    let (mut ws, _) = app.ws(&ann.token).await;

    // Load: readers keep asking for the chat list throughout.
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (client, addr, token, stop) = (
            app.client.clone(),
            app.addr.clone(),
            ann.token.clone(),
            stop.clone(),
        );
        readers.push(actix_web::rt::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let res = client
                    .get(format!("{addr}/api/v1/chats"))
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .send()
                    .await;
                let status = res.map(|r| r.status().as_u16()).unwrap_or(0);
                statuses.push((status, started.elapsed()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            statuses
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    proxy.stop();
    let started = Instant::now();
    let res = app.get("/api/v1/chats", Some(&ann.token)).await;
    res.assert_error(503, "internal");
    assert_eq!(res.header("retry-after").as_deref(), Some("1"));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    assert_eq!(app.get("/readyz", None).await.status, 503);
    assert!(started.elapsed() < Duration::from_secs(4));
    ws.send_message(chat, "during", "c-during").await;
    match ws.event(Duration::from_secs(5)).await {
        Event::Json(f) => assert_eq!(
            (f["type"].as_str(), f["code"].as_str()),
            (Some("error"), Some("internal")),
            "{f}"
        ),
        other => panic!("a send while the database is away is refused at once: {other:?}"),
    }

    proxy.start();
    let back = Instant::now();
    loop {
        if app.get("/readyz", None).await.status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "pool did not recover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.get("/api/v1/chats", Some(&ann.token)).await.status, 200);
    ws.send_message(chat, "after", "c-after").await;
    assert_eq!(ws.next_of("ack").await["message"]["body"], "after");
    stop.store(true, Ordering::Relaxed);
    let mut slowest = Duration::ZERO;
    let mut seen = std::collections::BTreeSet::new();
    for reader in readers {
        for (status, took) in reader.await.unwrap() {
            seen.insert(status);
            slowest = slowest.max(took);
        }
    }
    assert!(seen.contains(&503) && seen.contains(&200), "{seen:?}");
    assert!(seen.iter().all(|s| [200, 503].contains(s)), "{seen:?}");
    assert!(
        slowest < Duration::from_secs(3),
        "no request hung: {slowest:?}"
    );
}
