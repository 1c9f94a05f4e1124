//! Two instances sharing one database and one Redis act as one server.
//! Runs when MICROCHAT_TEST_REDIS_URL is set (CI sets it).

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app_with, TestApp};

fn redis_url() -> Option<String> {
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
    let namespace = format!("test-{}", uuid::Uuid::new_v4().simple());
    let (url, ns) = (redis.to_owned(), namespace.clone());
    let a = spawn_app_with(move |s| {
        s.redis_url = Some(url);
        s.redis_namespace = ns;
    })
    .await;
    let (url, db) = (redis.to_owned(), a.settings.database_url.clone());
    let b = spawn_app_with(move |s| {
        s.redis_url = Some(url);
        s.redis_namespace = namespace;
        s.database_url = db;
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
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.get("/api/v1/users?q=b", Some(&bob.token))
        .await
        .assert_error(403, "forbidden");

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
    let add = a
        .post(
            &format!("/api/v1/chats/{chat}/members"),
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(add.status, 200);
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

    // Ann blocks Bob on A: Bob's typing on B no longer reaches Ann on B.
    let path = format!("/api/v1/users/me/blocks/{}", bob.id);
    let res = a
        .call(Method::PUT, &path, Some(&ann.token), &[], None)
        .await;
    assert_eq!(res.status, 204);
    tokio::time::sleep(Duration::from_millis(300)).await;
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
