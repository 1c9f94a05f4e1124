//! Two instances sharing one database and one Redis act as one server.
//! Runs when MICROCHAT_TEST_REDIS_URL is set (CI sets it).

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use microchat::config::Settings;

use crate::helpers::{spawn_app_with, TestApp, PASSWORD};

pub(crate) fn redis_url() -> Option<String> {
    match std::env::var("MICROCHAT_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("skipped: MICROCHAT_TEST_REDIS_URL is not set");
            None
        }
    }
}

/// Two instances on one database and one Redis namespace of their own.
async fn pair(redis: &str) -> (TestApp, TestApp) {
    pair_with(redis, |_| {}).await
}

/// The same, with `tweak` applied to both instances' settings.
pub(crate) async fn pair_with(redis: &str, tweak: fn(&mut Settings)) -> (TestApp, TestApp) {
    let namespace = format!("test-{}", uuid::Uuid::new_v4().simple());
    let (url, ns) = (redis.to_owned(), namespace.clone());
    let a = spawn_app_with(move |s| {
        s.redis_url = Some(url);
        s.redis_namespace = ns;
        tweak(s);
    })
    .await;
    let (url, db) = (redis.to_owned(), a.settings.database_url.clone());
    let b = spawn_app_with(move |s| {
        s.redis_url = Some(url);
        s.redis_namespace = namespace;
        s.database_url = db;
        tweak(s);
    })
    .await;
    (a, b)
}

#[actix_web::test]
async fn a_message_sent_on_one_instance_reaches_sessions_on_the_other() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair(&redis).await;
    assert_eq!(b.get("/readyz", None).await.status, 200);
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    let chat = a.create_chat(&ann.token, "across", &["bob"], false).await;
    let (mut ann_a, _) = a.ws(&ann.token).await;
    let (mut ann_b, _) = b.ws(&ann.token).await;
    let (mut bob_b, _) = b.ws(&bob.token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    ann_a.send_message(chat, "hello from A", "x1").await;
    let ack = ann_a.next_of("ack").await;
    for ws in [&mut ann_b, &mut bob_b] {
        let got = ws.next_of("message").await;
        assert_eq!(got["message"], ack["message"]);
        ws.assert_quiet(Duration::from_millis(300)).await;
    }
    bob_b.send(json!({"type": "typing", "chat_id": chat})).await;
    assert_eq!(ann_a.next_of("typing").await["user"]["id"], bob.id);
}

#[actix_web::test]
async fn deletion_and_role_changes_apply_on_every_instance_at_once() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair(&redis).await;
    let root = a.signup("root").await;
    a.make_admin("root");
    let bob = a.signup("bob").await;
    let cat = a.signup("cat").await;
    // Warm b's access cache for both.
    assert_eq!(
        b.get("/api/v1/users?q=b", Some(&bob.token)).await.status,
        200
    );
    assert_eq!(
        b.get("/api/v1/users/me", Some(&cat.token)).await.status,
        200
    );
    let (mut cat_b, _) = b.ws(&cat.token).await;

    let path = format!("/api/v1/users/{}/role", bob.id);
    let res = a
        .call(
            Method::PUT,
            &path,
            Some(&root.token),
            &[],
            Some(json!({"role": "guest"})),
        )
        .await;
    assert_eq!(res.status, 200);
    // Once the bus has carried it: well within b's 30 s cache lifetime.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut res = b.get("/api/v1/users?q=b", Some(&bob.token)).await;
    while res.status == 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        res = b.get("/api/v1/users?q=b", Some(&bob.token)).await;
    }
    res.assert_error(403, "forbidden");

    let path = format!("/api/v1/users/{}", cat.id);
    assert_eq!(
        a.call(Method::DELETE, &path, Some(&root.token), &[], None)
            .await
            .status,
        204
    );
    assert_eq!(cat_b.closed(Duration::from_secs(5)).await, Some(4003));
    b.get("/api/v1/users/me", Some(&cat.token))
        .await
        .assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn membership_changes_on_one_instance_reach_sessions_on_the_other() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair(&redis).await;
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    let chat = a.create_chat(&ann.token, "team", &[], false).await;
    let (mut bob_b, _) = b.ws(&bob.token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.add_member(&ann.token, chat, "bob").await;
    assert_eq!(bob_b.next_of("chat_added").await["chat"]["id"], chat);
    a.send_rest(&ann.token, chat, "welcome", None).await;
    assert_eq!(bob_b.next_of("message").await["message"]["body"], "welcome");
    let path = format!("/api/v1/chats/{chat}/members/bob");
    a.call(Method::DELETE, &path, Some(&ann.token), &[], None)
        .await;
    assert_eq!(bob_b.next_of("chat_removed").await["chat_id"], chat);
}

#[actix_web::test]
async fn a_bad_redis_url_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let settings = {
        let url = format!("sqlite://{}", dir.path().join("x.db").display());
        let mut s = microchat::config::Settings::for_database(&url);
        s.redis_url = Some("redis://127.0.0.1:1".into());
        s
    };
    let result = microchat::startup::Application::build(settings).await;
    assert!(result.is_err());
}

#[actix_web::test]
async fn disabling_and_blocking_apply_on_every_instance_at_once() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair(&redis).await;
    let root = a.signup("root").await;
    a.make_admin("root");
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    let chat = a.create_chat(&ann.token, "team", &["bob"], false).await;
    // Warm b's access cache, and give bob a socket on b.
    assert_eq!(
        b.get("/api/v1/users/me", Some(&bob.token)).await.status,
        200
    );
    let (mut ann_b, _) = b.ws(&ann.token).await;
    let (mut bob_b, _) = b.ws(&bob.token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Ann blocks Bob on A: once the bus has carried it (well under 3 s),
    // Bob's typing on B no longer reaches Ann on B.
    let path = format!("/api/v1/users/me/blocks/{}", bob.id);
    let res = a
        .call(Method::PUT, &path, Some(&ann.token), &[], None)
        .await;
    assert_eq!(res.status, 204);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        bob_b.send(json!({"type": "typing", "chat_id": chat})).await;
        match ann_b.event(Duration::from_millis(400)).await {
            crate::ws_client::Event::Silence => break,
            crate::ws_client::Event::Json(v)
                if v["type"] == "typing" || v["type"] == "presence" =>
            {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the block never reached B: {v}"
                );
                // Drain what is left of this round before trying again.
                while let crate::ws_client::Event::Json(_) =
                    ann_b.event(Duration::from_millis(100)).await
                {}
            }
            // The chat's creation reaches B over the bus too; under load it
            // can land after Ann's socket there is ready.
            crate::ws_client::Event::Json(v) if v["type"] == "chat_added" => {}
            other => panic!("ann heard {other:?}"),
        }
    }
    bob_b.send(json!({"type": "typing", "chat_id": chat})).await;
    ann_b.assert_quiet(Duration::from_millis(500)).await;

    let res = a
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}/disabled", bob.id),
            Some(&root.token),
            &[],
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(bob_b.closed(Duration::from_secs(5)).await, Some(4003));
    b.get("/api/v1/users/me", Some(&bob.token))
        .await
        .assert_error(401, "unauthorized");
}

/// The next `presence` frame about `user`, within `wait`.
pub(crate) async fn presence_of(ws: &mut crate::ws_client::Ws, user: i64, wait: Duration) -> bool {
    use crate::ws_client::Event;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.event(left).await {
            Event::Json(f) if f["type"] == "presence" && f["user_id"] == user => {
                return f["online"].as_bool().expect("online is a bool")
            }
            Event::Json(_) => {}
            other => panic!("no presence of {user} within {wait:?}: {other:?}"),
        }
    }
}

#[actix_web::test]
async fn presence_spans_instances_both_ways() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair(&redis).await;
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    let chat = a.create_chat(&ann.token, "seen", &["bob"], false).await;
    let (mut ann_a, ready) = a.ws(&ann.token).await;
    assert_eq!(ready["online"], json!([]));
    // Wait until b has heard through Redis that ann is online.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let res = b
            .get(&format!("/api/v1/chats/{chat}"), Some(&bob.token))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        if res.body["online_count"] == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "b never heard that ann is online"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (bob_b, ready) = b.ws(&bob.token).await;
    assert_eq!(
        ready["online"],
        json!([ann.id]),
        "ann is online on the other instance"
    );
    assert!(presence_of(&mut ann_a, bob.id, Duration::from_secs(30)).await);

    // A second session of bob on ann's instance announces nothing new.
    let (bob_a, _) = a.ws(&bob.token).await;
    ann_a.assert_quiet(Duration::from_millis(500)).await;
    drop(bob_a);
    // Bob is still on b: his session on a closing is no departure.
    ann_a.assert_quiet(Duration::from_secs(6)).await;

    drop(bob_b);
    let started = std::time::Instant::now();
    assert!(!presence_of(&mut ann_a, bob.id, Duration::from_secs(30)).await);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "after the grace"
    );
    let (_, ready) = b.ws(&bob.token).await;
    assert_eq!(ready["online"], json!([ann.id]));
}

#[actix_web::test]
async fn two_instances_share_the_auth_and_failed_login_limits() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair_with(&redis, |s| {
        s.auth_rate_per_minute = 6;
        s.login_failures_per_account = 3;
    })
    .await;
    // One address, alternating instances: 6 in all, not 6 each.
    assert_eq!(
        a.register("ann", "ann@example.com", PASSWORD).await.status,
        201
    );
    for i in 0..3 {
        let app = if i % 2 == 0 { &b } else { &a };
        app.login("ann", "wrong password")
            .await
            .assert_error(401, "unauthorized");
    }
    // Three failures counted across both: the account is locked on either.
    for app in [&a, &b] {
        let res = app.login("ann", PASSWORD).await;
        res.assert_error(429, "rate_limited");
        let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
    }
    // 6 auth requests were made (1 register + 3 + 2 logins): the budget is spent.
    let res = b.register("bob", "bob@example.com", PASSWORD).await;
    res.assert_error(429, "rate_limited");
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    a.post("/api/v1/auth/guest", None, json!({}))
        .await
        .assert_error(429, "rate_limited");
}

#[actix_web::test]
async fn edits_and_membership_changes_reach_the_other_instance() {
    let Some(redis) = redis_url() else { return };
    let (a, b) = pair(&redis).await;
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    let _cat = a.signup("cat").await;
    let chat = a.create_chat(&ann.token, "across", &["bob"], false).await;
    let (mut bob_b, _) = b.ws(&bob.token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let sent = a.sent(&ann.token, chat, json!({"body": "typo"})).await;
    bob_b.next_of("message").await;
    let edited = a
        .edit(&ann.token, chat, sent["id"].as_i64().unwrap(), "fixed")
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let got = bob_b.next_of("message_updated").await;
    assert_eq!(got["message"], edited.body);

    a.add_member(&ann.token, chat, "cat").await;
    let changed = bob_b.next_of("members_changed").await;
    assert_eq!(changed["members_count"], 3);
    assert_eq!(changed["added"][0]["username"], "cat");
    bob_b.assert_quiet(Duration::from_millis(300)).await;
}
