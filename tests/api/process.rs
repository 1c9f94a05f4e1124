//! The real binary as a child process: durability across SIGKILL and the
//! graceful drain on SIGTERM.

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{test_database, TestApp, TestDb, SECRET};
use crate::ws_client::Event;

pub(crate) struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    /// A failing test must not leave a server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `microchat serve` on a free port and waits for it to listen.
fn start(database_url: &str) -> Server {
    // Not the working directory (PostgreSQL runs would default to ./files).
    start_with_files(
        database_url,
        &std::env::temp_dir().join("microchat-test-files"),
    )
}

pub(crate) fn start_with_files(database_url: &str, files_dir: &std::path::Path) -> Server {
    start_with_args(database_url, files_dir, &[])
}

/// Like [`start_with_files`], with extra flags (which win over the defaults here).
pub(crate) fn start_with_args(
    database_url: &str,
    files_dir: &std::path::Path,
    extra: &[&str],
) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_microchat"))
        .args(["serve", "--bind", "127.0.0.1:0", "--insecure-dev"])
        .args([
            "--auth-rate-per-minute",
            "100000",
            "--ws-send-rate",
            "100000",
            "--ws-send-burst",
            "100000",
            "--ws-sessions-per-user",
            "100000",
            "--ws-connections-per-address",
            "100000",
            "--chats-per-hour",
            "100000",
            "--member-adds-per-hour",
            "100000",
            "--ws-frame-rate",
            "100000",
            "--ws-frame-burst",
            "100000",
        ])
        .args(extra)
        .env("MICROCHAT_DATABASE_URL", database_url)
        .env("MICROCHAT_JWT_SECRET", SECRET)
        .env("MICROCHAT_FILES_DIR", files_dir)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(port) = line.split("listening on http://127.0.0.1:").nth(1) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(port.trim().parse::<u16>().expect("port"));
                }
            }
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server listens");
    Server { child, port }
}

fn database() -> (String, TestDb) {
    test_database()
}

#[actix_web::test]
async fn every_acked_message_survives_a_sigkill() {
    let (url, db) = database();
    let mut server = start(&url);
    let app = TestApp::external(server.port, &url, db);
    let ann = app.signup("ann").await;
    let names = ["sender0", "sender1", "sender2"];
    let mut senders = Vec::new();
    for name in names {
        senders.push(app.signup(name).await);
    }
    let chat = app.create_chat(&ann.token, "durable", &names, false).await;

    let acked: Rc<RefCell<Vec<(i64, String)>>> = Rc::default();
    let mut tasks = Vec::new();
    for (i, acc) in senders.iter().enumerate() {
        let (mut ws, _) = app.ws(&acc.token).await;
        let acked = acked.clone();
        tasks.push(actix_web::rt::spawn(async move {
            for n in 0.. {
                let body = format!("{i}-{n}");
                let frame =
                    json!({"type": "send", "chat_id": chat, "body": body, "client_id": body});
                if !ws.try_send(frame).await {
                    return;
                }
                loop {
                    // Generous: on a loaded machine an ack can take seconds;
                    // the SIGKILL ends this wait at once anyway.
                    match ws.event(Duration::from_secs(60)).await {
                        Event::Json(f) if f["type"] == "ack" => {
                            acked
                                .borrow_mut()
                                .push((f["message"]["id"].as_i64().unwrap(), body.clone()));
                            break;
                        }
                        Event::Json(_) => {}
                        _ => return,
                    }
                }
            }
        }));
    }
    // Kill mid-stream: once enough sends are acked (however long that takes
    // on a loaded machine), while the senders keep sending.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while acked.borrow().len() <= 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the clients never got going: {} acks",
            acked.borrow().len()
        );
        assert!(
            !tasks.iter().all(|t| t.is_finished()),
            "every sender stopped before the kill"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    for task in tasks {
        let _ = task.await;
    }
    let acked = acked.borrow().clone();
    assert!(
        acked.len() > 20,
        "the clients were mid-stream: {} acks",
        acked.len()
    );

    let restarted = start(&url);
    let app = TestApp::external(restarted.port, &url, TestDb::Postgres);
    let login = app.login("ann", crate::helpers::PASSWORD).await;
    let token = login.body["access_token"].as_str().unwrap().to_owned();
    let mut stored = std::collections::HashMap::new();
    let mut before = String::new();
    loop {
        let res = app
            .get(
                &format!("/api/v1/chats/{chat}/messages?limit=100{before}"),
                Some(&token),
            )
            .await;
        let page = res.body.as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        before = format!("&before={}", page[0]["id"]);
        for m in page {
            stored.insert(
                m["id"].as_i64().unwrap(),
                m["body"].as_str().unwrap().to_owned(),
            );
        }
    }
    for (id, body) in &acked {
        assert_eq!(stored.get(id), Some(body), "acked message {id} lost");
    }
    drop(restarted);
}

#[actix_web::test]
async fn sigterm_drains_pending_sends_then_closes_sessions_with_1001() {
    let (url, db) = database();
    let mut server = start(&url);
    let app = TestApp::external(server.port, &url, db);
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "drain", &[], false).await;
    let (mut ws, _) = app.ws(&ann.token).await;
    for i in 0..50 {
        ws.send_message(chat, &format!("m{i}"), &format!("c{i}"))
            .await;
    }
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut acked = Vec::new();
    let code = loop {
        match ws.event(Duration::from_secs(15)).await {
            Event::Json(f) if f["type"] == "ack" => {
                acked.push(f["message"]["id"].as_i64().unwrap())
            }
            Event::Json(_) => {}
            Event::Closed(code) => break code,
            Event::Silence => panic!("not closed"),
        }
    };
    assert_eq!(code, Some(1001));
    assert!(!acked.is_empty());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    let restarted = start(&url);
    let app = TestApp::external(restarted.port, &url, TestDb::Postgres);
    let history = app.history_ids(&ann.token, chat, "?limit=100").await;
    for id in acked {
        assert!(history.contains(&id), "acked {id} missing");
    }
    drop(restarted);
}
