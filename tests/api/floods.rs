//! Flood limits beyond the WebSocket `send` bucket: one send budget per user
//! across sessions and REST, chat creation and member adds per user, and a
//! budget for every frame a session receives.

use serde_json::json;

use crate::helpers::spawn_app_with;

#[actix_web::test]
async fn one_send_budget_per_user_across_sessions_and_rest() {
    let app = spawn_app_with(|s| {
        s.ws_send_rate = 1;
        s.ws_send_burst = 4;
    })
    .await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "x", &[], false).await;
    let (mut one, _) = app.ws(&ann.token).await;
    let (mut two, _) = app.ws(&ann.token).await;
    for i in 0..4i64 {
        let ws = if i % 2 == 0 { &mut one } else { &mut two };
        ws.send(json!({"type": "send", "chat_id": chat, "body": "x", "client_id": format!("c{i}"), "ref": i}))
            .await;
        // The other session hears the first session's messages: skip them.
        let answer = loop {
            let frame = ws.next_json().await;
            if frame["type"] != "message" && frame["type"] != "presence" {
                break frame;
            }
        };
        assert_eq!(
            (answer["type"].as_str(), answer["ref"].as_i64()),
            (Some("ack"), Some(i))
        );
    }
    // The burst of 4 is spent, whichever session spent it.
    one.send(json!({"type": "send", "chat_id": chat, "body": "x", "client_id": "c9", "ref": 9}))
        .await;
    let refused = loop {
        let frame = one.next_json().await;
        if frame["type"] != "message" {
            break frame;
        }
    };
    assert_eq!(refused["code"], "rate_limited", "{refused}");
    let res = app.send_rest(&ann.token, chat, "by REST", None).await;
    res.assert_error(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
}

#[actix_web::test]
async fn chat_creation_and_member_adds_are_limited_per_user() {
    let app = spawn_app_with(|s| {
        s.chats_per_hour = 2;
        s.member_adds_per_hour = 3;
    })
    .await;
    let ann = app.signup("ann").await;
    for name in ["bob", "cid", "dan", "eve"] {
        app.signup(name).await;
    }
    let chat = app
        .create_chat(&ann.token, "one", &["bob", "cid"], false)
        .await;
    let path = format!("/api/v1/chats/{chat}/members");
    let add =
        |username: &'static str| app.post(&path, Some(&ann.token), json!({ "username": username }));
    assert_eq!(add("dan").await.status, 200, "third add");
    add("eve").await.assert_error(429, "rate_limited");
    let body = json!({"name": "two", "members": ["eve"], "public": false});
    app.post("/api/v1/chats", Some(&ann.token), body)
        .await
        .assert_error(429, "rate_limited");
    let body = json!({"name": "two", "members": [], "public": false});
    assert_eq!(
        app.post("/api/v1/chats", Some(&ann.token), body)
            .await
            .status,
        201
    );
    let body = json!({"name": "three", "members": [], "public": false});
    app.post("/api/v1/chats", Some(&ann.token), body)
        .await
        .assert_error(429, "rate_limited");
}

#[actix_web::test]
async fn every_frame_type_counts_against_the_session_frame_budget() {
    let app = spawn_app_with(|s| {
        s.ws_frame_rate = 1;
        s.ws_frame_burst = 5;
    })
    .await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "x", &[], false).await;
    let (mut ws, _) = app.ws(&ann.token).await;
    for i in 0..5 {
        ws.send(json!({"type": "read", "chat_id": chat, "message_id": 1, "ref": i}))
            .await;
    }
    ws.send(json!({"type": "ping", "ref": "late"})).await;
    let refused = ws.next_of("error").await;
    assert_eq!(refused["code"], "rate_limited", "{refused}");
    assert_eq!(refused["ref"], "late", "{refused}");
}
