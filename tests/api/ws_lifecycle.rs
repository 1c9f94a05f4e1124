use std::collections::HashSet;
use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};

#[actix_web::test]
async fn twenty_clients_sending_200_each_all_see_4000_messages_in_order() {
    const CLIENTS: usize = 20;
    const EACH: usize = 200;
    let app = spawn_app_with(|s| {
        s.ws_send_rate = 100_000;
        s.ws_send_burst = 100_000;
        s.ws_outbound_queue = 16_384;
    })
    .await;
    let owner = app.signup("owner").await;
    let mut accounts = Vec::new();
    for i in 0..CLIENTS {
        accounts.push(app.signup(&format!("user{i}")).await);
    }
    let names: Vec<String> = (0..CLIENTS).map(|i| format!("user{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let chat = app.create_chat(&owner.token, "crowd", &names, false).await;
    let mut sockets = Vec::new();
    for acc in &accounts {
        sockets.push(app.ws(&acc.token).await.0);
    }
    let (mut watcher, _) = app.ws(&owner.token).await;

    let runs = sockets
        .into_iter()
        .enumerate()
        .map(|(i, mut ws)| async move {
            for n in 0..EACH {
                ws.send_message(chat, &format!("{i}-{n}"), &format!("{i}-{n}"))
                    .await;
            }
            let mut seen = Vec::with_capacity(CLIENTS * EACH);
            let mut acks = 0;
            while seen.len() < CLIENTS * EACH {
                let frame = ws.next_json().await;
                match frame["type"].as_str().unwrap() {
                    "ack" => acks += 1,
                    "message" => {}
                    _ => continue,
                }
                seen.push(frame["message"]["id"].as_i64().unwrap());
            }
            (acks, seen)
        });
    let results = futures_util::future::join_all(runs).await;

    let mut watched = Vec::new();
    while watched.len() < CLIENTS * EACH {
        let frame = watcher.next_of("message").await;
        watched.push(frame["message"]["id"].as_i64().unwrap());
    }
    let mut all_history = Vec::new();
    let mut before = String::new();
    loop {
        let page = app
            .history_ids(&owner.token, chat, &format!("?limit=100{before}"))
            .await;
        if page.is_empty() {
            break;
        }
        before = format!("&before={}", page[0]);
        all_history.splice(0..0, page);
    }
    assert_eq!(all_history.len(), CLIENTS * EACH);
    assert!(all_history.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        watched, all_history,
        "a pure reader sees exactly the stored sequence"
    );
    for (acks, seen) in results {
        assert_eq!(acks, EACH);
        assert_eq!(
            seen, all_history,
            "every member sees every message once, in id order"
        );
    }
    let distinct: HashSet<_> = all_history.iter().collect();
    assert_eq!(distinct.len(), CLIENTS * EACH);
}

#[actix_web::test]
async fn an_expiring_token_closes_4001_unless_renewed_with_an_auth_frame() {
    let app = spawn_app_with(|s| s.access_token_ttl = 5).await;
    let ann = app.signup("ann").await;
    let (mut stale, _) = app.ws(&ann.token).await;
    let (mut renewed, _) = app.ws(&ann.token).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fresh = app.refresh(&ann.cookie, None).await;
    let token = fresh.body["access_token"].as_str().unwrap();
    renewed.send(json!({"type": "auth", "token": token})).await;
    assert_eq!(stale.closed(Duration::from_secs(8)).await, Some(4001));
    renewed.send(json!({"type": "ping"})).await;
    assert_eq!(
        renewed.next_json().await["type"],
        "pong",
        "the renewed session stays open"
    );
}

#[actix_web::test]
async fn deleting_a_user_closes_their_sockets_with_4003() {
    let app = spawn_app().await;
    let root = app.signup("root").await;
    app.make_admin("root");
    let bob = app.signup("bob").await;
    let (mut ws, _) = app.ws(&bob.token).await;
    let res = app
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{}", bob.id),
            Some(&root.token),
            &[],
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(ws.closed(Duration::from_secs(5)).await, Some(4003));
}

#[actix_web::test]
async fn a_role_change_applies_to_the_next_frame_and_the_socket_stays_open() {
    let app = spawn_app().await;
    let root = app.signup("root").await;
    app.make_admin("root");
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&bob.token, "mine", &[], false).await;
    let (mut ws, _) = app.ws(&bob.token).await;
    ws.send_message(chat, "as user", "1").await;
    assert_eq!(ws.next_of("ack").await["message"]["body"], "as user");
    let path = format!("/api/v1/users/{}/role", bob.id);
    let res = app
        .call(
            Method::PUT,
            &path,
            Some(&root.token),
            &[],
            Some(json!({"role": "guest"})),
        )
        .await;
    assert_eq!(res.status, 200);
    ws.send_message(chat, "as guest", "2").await;
    assert_eq!(ws.next_json().await["code"], "forbidden");
    app.call(
        Method::PUT,
        &path,
        Some(&root.token),
        &[],
        Some(json!({"role": "user"})),
    )
    .await;
    ws.send_message(chat, "user again", "3").await;
    assert_eq!(ws.next_of("ack").await["message"]["body"], "user again");
}

#[actix_web::test]
async fn a_reader_that_falls_too_far_behind_is_closed_with_4008() {
    let app = spawn_app_with(|s| {
        s.ws_outbound_queue = 16;
        s.ws_send_rate = 100_000;
        s.ws_send_burst = 100_000;
    })
    .await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "flood", &["bob"], false).await;
    let (mut slow, _) = app.ws(&bob.token).await;
    let (mut fast, _) = app.ws(&ann.token).await;
    let big = "😀".repeat(4000);
    // The sender reads each ack, so only the reader that does not read falls
    // behind. The flood stops as soon as the server gives up on that reader:
    // a socket that does not take its close frame within 5 s is reset, so
    // the reader has to start reading then, not after all 600 sends (which
    // can take longer than that on a loaded machine).
    let mut sent = 0;
    while too_slow_closes(&app).await == 0 {
        assert!(sent < 600, "the reader never fell behind");
        fast.send_message(chat, &big, &format!("f{sent}")).await;
        fast.next_of("ack").await;
        sent += 1;
    }
    assert_eq!(slow.closed(Duration::from_secs(20)).await, Some(4008));
    // Operators alert on this counter (deploy/prometheus/alerts.yml).
    assert_eq!(too_slow_closes(&app).await, 1);
    let _ = PASSWORD;
}

/// `microchat_ws_closes_total{code="4008"}`: readers closed for being too slow.
async fn too_slow_closes(app: &crate::helpers::TestApp) -> u64 {
    let metrics = app.get("/metrics", None).await;
    let text = metrics.body.as_str().expect("metrics text");
    text.lines()
        .find_map(|line| line.strip_prefix("microchat_ws_closes_total{code=\"4008\"} "))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

/// Every renewal used to leave a timer behind until the token's expiry, and
/// every later frame paid for all of them.
#[actix_web::test]
async fn many_renewals_do_not_slow_the_socket_down() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let (mut ws, _) = app.ws(&ann.token).await;
    let before = round_trips(&mut ws, 200).await;
    for _ in 0..5_000 {
        ws.send(json!({"type": "auth", "token": ann.token})).await;
    }
    ws.send(json!({"type": "ping", "ref": "sync"})).await;
    assert_eq!(ws.next_of("pong").await["ref"], "sync");
    let after = round_trips(&mut ws, 200).await;
    println!("200 pings: {before:?} before 5k renewals, {after:?} after");
    assert!(
        after < before * 3 + Duration::from_millis(200),
        "{before:?} -> {after:?}"
    );
}

/// How long `n` ping/pong round trips take.
async fn round_trips(ws: &mut crate::ws_client::Ws, n: u32) -> Duration {
    let started = std::time::Instant::now();
    for i in 0..n {
        ws.send(json!({"type": "ping", "ref": i})).await;
        assert_eq!(ws.next_of("pong").await["ref"], i);
    }
    started.elapsed()
}
