//! Restarting one instance of two while clients send through nginx: its
//! clients reconnect (nginx sends them to the other), `sync`, and nothing
//! acknowledged is lost or stored twice. After a SIGKILL, the send that was
//! in flight is retried with the same `client_id` and stored once.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{enabled, Cluster};
use crate::helpers::TestApp;
use crate::ws_client::{Event, Ws};

/// What one client did and saw.
#[derive(Default, Debug)]
struct Report {
    /// (client_id, message id) per ack.
    acked: Vec<(String, i64)>,
    /// Ids of messages seen (live, replayed by `sync`, or acked).
    seen: HashSet<i64>,
    /// When each id was first seen, newest last.
    arrivals: Vec<(Instant, i64)>,
    /// Close codes of the sockets the server closed.
    closes: Vec<Option<u16>>,
    reconnects: usize,
    /// Acks received after the first reconnect.
    acked_after_reconnect: usize,
}

/// Connects through nginx, retrying until it works (within 15 s).
async fn connect(lb: &TestApp, token: &str) -> Ws {
    let started = Instant::now();
    loop {
        if let Some((ws, _)) = lb.try_ws(token).await {
            return ws;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "cannot reconnect"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Where a resuming client syncs from (docs/api-notes.md, "Resuming in a
/// cluster"): two instances commit concurrently, so a message may arrive
/// after one with a higher id; everything that arrived in the last few
/// seconds is fetched again (and deduplicated by id).
fn resume_point(report: &Report) -> i64 {
    let settled = Instant::now() - Duration::from_secs(5);
    let recent = report.arrivals.iter().filter(|(at, _)| *at > settled);
    match recent.map(|(_, id)| *id).min() {
        Some(oldest_recent) => oldest_recent - 1,
        None => report.seen.iter().max().copied().unwrap_or(0),
    }
}

/// Replays what was stored after the resume point, until `sync_done`.
async fn sync(ws: &mut Ws, chat: i64, report: &mut Report) -> bool {
    let after = resume_point(report);
    if !ws
        .try_send(json!({"type": "sync", "chat_id": chat, "after_id": after, "limit": 500}))
        .await
    {
        return false;
    }
    loop {
        match ws.event(Duration::from_secs(10)).await {
            Event::Json(f) if f["type"] == "sync_done" => return true,
            Event::Json(f) => note(&f, report),
            _ => return false,
        }
    }
}

fn note(frame: &Value, report: &mut Report) {
    if frame["type"] == "message" || frame["type"] == "ack" {
        report.saw(frame["message"]["id"].as_i64().unwrap());
    }
}

impl Report {
    fn saw(&mut self, id: i64) {
        if self.seen.insert(id) {
            self.arrivals.push((Instant::now(), id));
        }
    }
}

/// Sends one message at a time until `stop`, each retried with the same
/// `client_id` across reconnects until acknowledged.
async fn client(
    lb: TestApp,
    token: String,
    chat: i64,
    name: String,
    stop: Rc<Cell<bool>>,
) -> Report {
    let mut report = Report::default();
    // As a client opening the chat: what was sent before it connected.
    let mut ws = connect(&lb, &token).await;
    assert!(sync(&mut ws, chat, &mut report).await);
    let mut n = 0;
    let mut pending: Option<String> = None;
    while !(stop.get() && pending.is_none()) {
        let cid = pending.get_or_insert_with(|| {
            n += 1;
            format!("{name}-{n}")
        });
        let frame = json!({"type": "send", "chat_id": chat, "body": cid, "client_id": cid});
        let mut lost = !ws.try_send(frame).await;
        while !lost {
            match ws.event(Duration::from_secs(5)).await {
                Event::Json(f) if f["type"] == "ack" && f["client_id"] == cid.as_str() => {
                    let id = f["message"]["id"].as_i64().unwrap();
                    report.acked.push((cid.clone(), id));
                    report.saw(id);
                    if report.reconnects > 0 {
                        report.acked_after_reconnect += 1;
                    }
                    pending = None;
                    break;
                }
                Event::Json(f) => note(&f, &mut report),
                Event::Closed(code) => {
                    report.closes.push(code);
                    lost = true;
                }
                Event::Silence => lost = true,
            }
        }
        if lost {
            report.reconnects += 1;
            loop {
                ws = connect(&lb, &token).await;
                if sync(&mut ws, chat, &mut report).await {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Whatever is still on its way.
    while let Event::Json(f) = ws.event(Duration::from_secs(2)).await {
        note(&f, &mut report);
    }
    report
}

/// Every stored message of the chat: id → body.
async fn stored(lb: &TestApp, token: &str, chat: i64) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    let mut before = String::new();
    loop {
        let res = lb
            .get(
                &format!("/api/v1/chats/{chat}/messages?limit=100{before}"),
                Some(token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let page = res.body.as_array().unwrap().clone();
        let Some(first) = page.first() else { break };
        before = format!("&before={}", first["id"]);
        for m in page {
            out.insert(
                m["id"].as_i64().unwrap(),
                m["body"].as_str().unwrap().to_owned(),
            );
        }
    }
    out
}

/// Four clients through nginx (two per instance) send while `restart`
/// takes instance 0 down; checks what the issue asks of both kinds of stop.
async fn restart_under_load(kill: bool) {
    let Some((_, redis)) = enabled() else { return };
    let mut cluster = Cluster::start(2, &redis, &[]).await;
    let lb = cluster.lb();
    let names = ["ann", "bob", "cat", "dan"];
    let mut accounts = Vec::new();
    for name in names {
        accounts.push(lb.signup(name).await);
    }
    let chat = lb
        .create_chat(&accounts[0].token, "rolling", &names[1..], false)
        .await;
    let stop = Rc::new(Cell::new(false));
    let mut tasks = Vec::new();
    for (acc, name) in accounts.iter().zip(names) {
        let (lb, token, stop) = (cluster.lb(), acc.token.clone(), stop.clone());
        tasks.push(actix_web::rt::spawn(client(
            lb,
            token,
            chat,
            name.into(),
            stop,
        )));
        // One connection at a time, so nginx alternates between instances.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(cluster.metric(0, "microchat_ws_sessions").await, 2.0);
    if kill {
        cluster.kill(0);
    } else {
        let (clean, took) = cluster.terminate(0).await;
        assert!(clean, "drained and exited 0: {}", cluster.log(0));
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.set(true);
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.expect("client task"));
    }

    let rows = stored(&lb, &accounts[0].token, chat).await;
    let mut bodies: HashMap<&str, usize> = HashMap::new();
    for body in rows.values() {
        *bodies.entry(body.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = bodies.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored twice: {twice:?}");
    let moved: Vec<_> = reports.iter().filter(|r| r.reconnects > 0).collect();
    assert_eq!(
        moved.len(),
        2,
        "the two clients of instance 0 reconnected: {reports:?}"
    );
    for (report, name) in reports.iter().zip(names) {
        assert!(report.acked.len() > 10, "{name} was sending: {report:?}");
        for (cid, id) in &report.acked {
            assert_eq!(
                rows.get(id),
                Some(cid),
                "{name}: acked {cid} ({id}) is stored"
            );
        }
        // Every client_id it used was stored once, and acked.
        let acked: HashSet<&str> = report.acked.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            acked.len(),
            report.acked.len(),
            "{name}: one ack per client_id"
        );
        let mine = bodies
            .keys()
            .filter(|b| b.starts_with(&format!("{name}-")))
            .count();
        assert_eq!(
            mine,
            acked.len(),
            "{name}: every send stored and acked once"
        );
        let missing: Vec<_> = rows.keys().filter(|id| !report.seen.contains(id)).collect();
        assert!(missing.is_empty(), "{name} never saw {missing:?}");
        if report.reconnects > 0 {
            assert!(
                report.acked_after_reconnect > 5,
                "{name} went on sending: {report:?}"
            );
            if !kill {
                assert_eq!(report.closes, vec![Some(1001)], "{name}: drained with 1001");
            }
        }
    }
}

#[actix_web::test]
async fn sigterm_of_one_instance_loses_and_duplicates_nothing() {
    restart_under_load(false).await;
}

#[actix_web::test]
async fn sigkill_of_one_instance_loses_nothing_acked_and_retries_store_once() {
    restart_under_load(true).await;
}
