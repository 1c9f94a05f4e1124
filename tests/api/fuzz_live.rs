//! Random REST bodies and WebSocket frames against the running server:
//! every answer is a contract status with the contract's error shape, never
//! a 500, and a socket fed garbage stays open and answers a ping.
//! `PROPTEST_CASES` raises the number of requests (default 256 each).

use std::time::Duration;

use actix_web::http::Method;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Resp};
use crate::ws_client::Event;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        "(?s).{0,40}".prop_map(Value::from),
        // Control characters, NUL included, among name-like text.
        "[\\x00-\\x1fa-z@.]{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: [&str; 14] = [
    "username",
    "email",
    "password",
    "login",
    "name",
    "members",
    "public",
    "body",
    "client_id",
    "attachments",
    "role",
    "type",
    "chat_id",
    "ref",
];

/// Objects with the contract's field names and values of any type.
fn body_like() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(&FIELDS[..]), any_json()), 0..6).prop_map(
        |fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
    )
}

fn samples<S: Strategy>(strategy: S, seed: u8) -> Vec<S::Value> {
    let cases = Config::default().cases as usize;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &[seed; 32],
        ),
    );
    (0..cases)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

const CONTRACT: [u16; 12] = [200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 422, 429];

fn check(what: &str, res: &Resp) {
    assert!(
        CONTRACT.contains(&res.status),
        "{what}: status {} {}",
        res.status,
        res.body
    );
    if res.status >= 400 {
        assert!(
            res.body["error"]["code"].is_string(),
            "{what}: {}",
            res.body
        );
        assert!(
            res.body["error"]["message"].is_string(),
            "{what}: {}",
            res.body
        );
    }
}

#[actix_web::test]
async fn random_rest_bodies_get_contract_answers() {
    let app = spawn_app_with(|_| {}).await;
    let ann = app.signup("ann").await;
    app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "fuzz", &["bob"], false).await;
    let targets: Vec<(Method, String, bool)> = vec![
        (Method::POST, "/api/v1/auth/register".into(), false),
        (Method::POST, "/api/v1/auth/login".into(), false),
        (Method::POST, "/api/v1/chats".into(), true),
        (Method::POST, "/api/v1/chats/direct".into(), true),
        (Method::POST, format!("/api/v1/chats/{chat}/messages"), true),
        (Method::POST, format!("/api/v1/chats/{chat}/members"), true),
        (Method::PUT, format!("/api/v1/users/{}/role", ann.id), true),
    ];
    for (n, body) in samples(prop_oneof![body_like(), any_json()], 7)
        .into_iter()
        .enumerate()
    {
        let (method, path, authed) = &targets[n % targets.len()];
        let token = authed.then_some(ann.token.as_str());
        let res = app
            .call(method.clone(), path, token, &[], Some(body.clone()))
            .await;
        check(&format!("{method} {path} {body}"), &res);
    }
    // Not JSON at all.
    for (n, raw) in samples("(?s).{0,60}", 8).into_iter().enumerate() {
        let (method, path, _) = &targets[n % targets.len()];
        let res = app
            .call_raw(
                method.clone(),
                path,
                Some(&ann.token),
                "application/json",
                raw.clone().into_bytes(),
            )
            .await;
        check(&format!("{method} {path} {raw:?}"), &res);
    }
    println!("{} REST requests checked", 2 * Config::default().cases);
    // The server is still whole.
    assert_eq!(
        app.get("/api/v1/users/me", Some(&ann.token)).await.status,
        200
    );
}

#[actix_web::test]
async fn random_frames_get_contract_errors_and_the_socket_stays_open() {
    let app = spawn_app_with(|_| {}).await;
    let ann = app.signup("ann").await;
    app.create_chat(&ann.token, "fuzz", &[], false).await;
    let (mut ws, _) = app.ws(&ann.token).await;
    let codes = [
        "bad_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "validation_failed",
        "rate_limited",
        "conflict",
        "unknown_users",
        "payload_too_large",
    ];
    let frames = samples(prop_oneof![body_like(), any_json()], 9);
    for frame in &frames {
        let mut frame = frame.clone();
        if frame.get("type").is_some_and(|t| t == "auth") {
            continue; // A bad token in `auth` is answered by design.
        }
        if let Some(object) = frame.as_object_mut() {
            // Never the socket-level close a bad first `auth` gets.
            object.remove("token");
        }
        ws.send(frame).await;
    }
    ws.send(json!({"type": "ping", "ref": "end"})).await;
    loop {
        match ws.event(Duration::from_secs(10)).await {
            Event::Json(f) if f["type"] == "pong" && f["ref"] == "end" => break,
            Event::Json(f) if f["type"] == "error" => {
                let code = f["code"].as_str().unwrap_or_default();
                assert!(codes.contains(&code), "{f}");
                assert!(f["message"].is_string(), "{f}");
            }
            Event::Json(_) => {}
            other => panic!("the socket did not survive the garbage: {other:?}"),
        }
    }
}

/// PostgreSQL refuses NUL in text: no input may carry one to a query.
#[actix_web::test]
async fn nul_characters_never_reach_the_database() {
    let app = spawn_app_with(|_| {}).await;
    let ann = app.signup("ann").await;
    check("login", &app.login("a\u{0}b", "x").await);
    check("login email", &app.login("a\u{0}b@example.com", "x").await);
    check(
        "register",
        &app.register("ann\u{0}", "a\u{0}@example.com", "pass\u{0}word1")
            .await,
    );
    check(
        "email",
        &app.register("carl", "c\u{0}@example.com", "password1")
            .await,
    );
    check(
        "password",
        &app.register("dora", "dora@example.com", "pass\u{0}word1")
            .await,
    );
    let body = json!({"name": "x", "members": ["bob\u{0}"], "public": false});
    check(
        "members",
        &app.post("/api/v1/chats", Some(&ann.token), body).await,
    );
    let body = json!({"username": "bob\u{0}"});
    check(
        "direct",
        &app.post("/api/v1/chats/direct", Some(&ann.token), body)
            .await,
    );
    check(
        "search",
        &app.get("/api/v1/users?q=a%00b", Some(&ann.token)).await,
    );
    let chat = app.create_chat(&ann.token, "c", &[], false).await;
    let res = app.send_rest(&ann.token, chat, "hi", Some("id\u{0}")).await;
    check("client_id", &res);
}
