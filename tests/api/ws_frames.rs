use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{ConnectedPair, Pair};
use crate::helpers::{spawn_app, spawn_app_with, Account, TestApp};
use crate::ws_client::{Event, Ws};

#[actix_web::test]
async fn a_bad_query_token_is_refused_before_the_upgrade() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/ws?access_token=nonsense", None).await;
    res.assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn the_first_frame_can_authenticate_and_a_bad_one_closes_4001() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let mut ws = app.ws_raw("/api/v1/ws").await;
    ws.send(json!({"type": "ping", "ref": "p"})).await;
    assert_eq!(ws.next_json().await, json!({"type": "pong", "ref": "p"}));
    ws.send(json!({"type": "send", "chat_id": 1, "body": "x", "client_id": "c"}))
        .await;
    assert_eq!(ws.next_json().await["code"], "unauthorized");
    ws.send(json!({"type": "auth", "token": ann.token, "ref": 1}))
        .await;
    let ready = ws.next_json().await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["ref"], 1);

    let mut bad = app.ws_raw("/api/v1/ws").await;
    bad.send(json!({"type": "auth", "token": "forged"})).await;
    assert_eq!(bad.closed(Duration::from_secs(5)).await, Some(4001));
}

#[actix_web::test]
async fn a_socket_that_never_authenticates_is_closed_after_10_seconds() {
    let app = spawn_app().await;
    let mut ws = app.ws_raw("/api/v1/ws").await;
    assert_eq!(ws.closed(Duration::from_secs(15)).await, Some(4001));
}

#[actix_web::test]
async fn malformed_and_unknown_frames_get_errors_and_the_session_stays_open() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "x", &[], false).await;
    let (mut ws, _) = app.ws(&ann.token).await;
    for (frame, code) in [
        ("{not json".to_owned(), "bad_request"),
        ("[1,2,3]".to_owned(), "bad_request"),
        (
            json!({"type": "dance", "ref": "r1"}).to_string(),
            "bad_request",
        ),
        (json!({"chat_id": chat}).to_string(), "bad_request"),
        (
            json!({"type": "send", "body": "no chat"}).to_string(),
            "bad_request",
        ),
        (
            json!({"type": "send", "chat_id": "1", "body": "x"}).to_string(),
            "bad_request",
        ),
        (
            json!({"type": "send", "chat_id": chat, "body": "   "}).to_string(),
            "validation_failed",
        ),
        (
            json!({"type": "send", "chat_id": chat, "body": "x", "client_id": "y".repeat(65)})
                .to_string(),
            "validation_failed",
        ),
        (
            json!({"type": "send", "chat_id": 999999, "body": "x"}).to_string(),
            "not_found",
        ),
        (
            json!({"type": "sync", "chat_id": chat, "after_id": 0, "limit": 0}).to_string(),
            "validation_failed",
        ),
    ] {
        ws.send_text(frame.clone()).await;
        let error = ws.next_json().await;
        assert_eq!(error["type"], "error", "{frame} → {error}");
        assert_eq!(error["code"], code, "{frame} → {error}");
        assert!(error["message"].is_string());
    }
    ws.send(json!({"type": "dance", "ref": {"n": 1}})).await;
    assert_eq!(
        ws.next_json().await["ref"],
        json!({"n": 1}),
        "ref is echoed"
    );
    ws.send(json!({"type": "ping"})).await;
    assert_eq!(ws.next_json().await["type"], "pong");
}

#[actix_web::test]
async fn frames_over_64_kib_close_the_socket_with_1009() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let (mut ws, _) = app.ws(&ann.token).await;
    let big = json!({"type": "ping", "pad": "x".repeat(65 * 1024)}).to_string();
    ws.send_text(big).await;
    assert_eq!(ws.closed(Duration::from_secs(5)).await, Some(1009));

    let (mut ws, _) = app.ws(&ann.token).await;
    let fits = json!({"type": "ping", "pad": "x".repeat(60 * 1024)}).to_string();
    ws.send_text(fits).await;
    assert_eq!(ws.next_json().await["type"], "pong");
}

#[actix_web::test]
async fn sends_over_the_session_rate_limit_are_refused() {
    let app = spawn_app_with(|s| {
        s.ws_send_rate = 1;
        s.ws_send_burst = 3;
    })
    .await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "x", &[], false).await;
    let (mut ws, _) = app.ws(&ann.token).await;
    for i in 0..4 {
        ws.send(json!({"type": "send", "chat_id": chat, "body": "x", "client_id": format!("c{i}"), "ref": i})).await;
    }
    let mut acks = 0;
    let mut limited = 0;
    for _ in 0..4 {
        let frame = ws.next_json().await;
        match frame["type"].as_str().unwrap() {
            "ack" => acks += 1,
            "error" => {
                assert_eq!(frame["code"], "rate_limited");
                assert_eq!(frame["ref"], 3);
                limited += 1;
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!((acks, limited), (3, 1));
    assert_eq!(app.history_ids(&ann.token, chat, "").await.len(), 3);
}

#[actix_web::test]
async fn typing_and_read_markers_reach_the_other_members() {
    let app = spawn_app().await;
    let ConnectedPair {
        ann,
        bob,
        chat,
        mut ann_ws,
        mut bob_ws,
    } = app.connected_pair().await;
    ann_ws
        .send(json!({"type": "typing", "chat_id": chat}))
        .await;
    let typing = bob_ws.next_of("typing").await;
    assert_eq!(
        typing,
        json!({"type": "typing", "chat_id": chat, "user": {"id": ann.id, "username": "ann"}})
    );

    let sent = app.send_rest(&ann.token, chat, "read me", None).await;
    let id = sent.body["id"].as_i64().unwrap();
    bob_ws.next_of("message").await;
    ann_ws.next_of("message").await;
    bob_ws
        .send(json!({"type": "read", "chat_id": chat, "message_id": id}))
        .await;
    let read = ann_ws.next_of("read").await;
    assert_eq!(
        read,
        json!({"type": "read", "chat_id": chat, "user_id": bob.id, "message_id": id})
    );
    let list = app.get("/api/v1/chats", Some(&bob.token)).await;
    assert_eq!(list.body[0]["unread"], 0);
}

#[actix_web::test]
async fn sync_after_a_disconnect_returns_exactly_what_was_missed() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let seen = app.send_rest(&ann.token, chat, "seen", None).await.body["id"]
        .as_i64()
        .unwrap();
    bob_ws.next_of("message").await;
    drop(bob_ws);
    let mut missed = Vec::new();
    for i in 0..7 {
        missed.push(
            app.send_rest(&ann.token, chat, &format!("missed {i}"), None)
                .await
                .body["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    bob_ws
        .send(json!({"type": "sync", "chat_id": chat, "after_id": seen, "limit": 5, "ref": "s"}))
        .await;
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(
            bob_ws.next_of("message").await["message"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mut done = bob_ws.next_of("sync_done").await;
    assert!(done["version"].is_i64(), "{done}");
    done.as_object_mut().unwrap().remove("version");
    assert_eq!(
        done,
        json!({"type": "sync_done", "chat_id": chat, "has_more": true, "ref": "s"})
    );
    bob_ws
        .send(json!({"type": "sync", "chat_id": chat, "after_id": got[4]}))
        .await;
    for _ in 0..2 {
        got.push(
            bob_ws.next_of("message").await["message"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(bob_ws.next_of("sync_done").await["has_more"], false);
    assert_eq!(got, missed);
}

#[actix_web::test]
async fn a_guest_follows_a_public_chat_but_cannot_send() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let lobby = app.create_chat(&ann.token, "lobby", &[], true).await;
    let secret = app.create_chat(&ann.token, "secret", &[], false).await;
    let guest = app
        .call(
            actix_web::http::Method::POST,
            "/api/v1/auth/guest",
            None,
            &[],
            None,
        )
        .await;
    let token = guest.body["access_token"].as_str().unwrap().to_owned();
    let (mut ws, _) = app.ws(&token).await;
    ws.send(json!({"type": "subscribe", "chat_id": secret}))
        .await;
    assert_eq!(ws.next_json().await["code"], "not_found");
    ws.send(json!({"type": "subscribe", "chat_id": lobby, "ref": 1}))
        .await;
    assert_eq!(
        ws.next_json().await,
        json!({"type": "subscribed", "chat_id": lobby, "ref": 1})
    );
    app.send_rest(&ann.token, lobby, "hello followers", None)
        .await;
    assert_eq!(
        ws.next_of("message").await["message"]["body"],
        "hello followers"
    );
    ws.send_message(lobby, "can I talk?", "g1").await;
    assert_eq!(ws.next_json().await["code"], "forbidden");
    ws.send(json!({"type": "unsubscribe", "chat_id": lobby}))
        .await;
    assert_eq!(
        ws.next_json().await,
        json!({"type": "unsubscribed", "chat_id": lobby})
    );
    app.send_rest(&ann.token, lobby, "gone", None).await;
    ws.assert_quiet(Duration::from_millis(300)).await;
}

#[actix_web::test]
async fn membership_changes_reach_open_sessions() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "team", &[], false).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/members"),
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(res.status, 200);
    let added = bob_ws.next_json().await;
    assert_eq!(added["type"], "chat_added");
    assert_eq!(added["chat"]["id"], chat);
    assert_eq!(added["chat"]["my_role"], "member");
    app.send_rest(&ann.token, chat, "welcome bob", None).await;
    assert_eq!(
        bob_ws.next_of("message").await["message"]["body"],
        "welcome bob"
    );
    bob_ws.send_message(chat, "thanks", "b1").await;
    assert_eq!(bob_ws.next_of("ack").await["message"]["body"], "thanks");

    let path = format!("/api/v1/chats/{chat}/members/bob");
    let res = app
        .call(
            actix_web::http::Method::DELETE,
            &path,
            Some(&ann.token),
            &[],
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        bob_ws.next_of("chat_removed").await,
        json!({"type": "chat_removed", "chat_id": chat})
    );
    app.send_rest(&ann.token, chat, "bob is gone", None).await;
    bob_ws.assert_quiet(Duration::from_millis(300)).await;
    bob_ws.send_message(chat, "still here?", "b2").await;
    assert_eq!(bob_ws.next_json().await["code"], "not_found");

    let (mut ann_ws, _) = app.ws(&ann.token).await;
    let path = format!("/api/v1/chats/{chat}");
    app.call(
        actix_web::http::Method::DELETE,
        &path,
        Some(&ann.token),
        &[],
        None,
    )
    .await;
    assert_eq!(ann_ws.next_of("chat_removed").await["chat_id"], chat);
}

/// A `presence` frame as the server sends it.
fn presence(user_id: i64, online: bool) -> serde_json::Value {
    json!({"type": "presence", "user_id": user_id, "online": online})
}

/// Ann and Bob share a chat; Ann is connected and sees Bob's first session
/// arrive. Returns Bob, Ann's socket and Bob's.
async fn ann_sees_bob_arrive(app: &TestApp) -> (Account, Ws, Ws) {
    let ConnectedPair {
        bob,
        mut ann_ws,
        bob_ws,
        ..
    } = app.connected_pair().await;
    assert_eq!(ann_ws.next_json().await, presence(bob.id, true));
    (bob, ann_ws, bob_ws)
}

#[actix_web::test]
async fn presence_announces_first_arrival_and_last_departure() {
    let app = spawn_app().await;
    let (bob, mut ann_ws, bob1) = ann_sees_bob_arrive(&app).await;
    let (bob2, _) = app.ws(&bob.token).await;
    drop(bob1);
    // A second session: no new arrival, and closing one of two is no departure.
    match ann_ws.event(Duration::from_millis(800)).await {
        Event::Silence => {}
        other => panic!("unexpected {other:?}"),
    }
    drop(bob2);
    let offline = ann_ws.next_json().await;
    assert_eq!(offline, presence(bob.id, false));
}

#[actix_web::test]
async fn a_chat_shared_while_connected_makes_members_presence_contacts() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let (mut ann_ws, ready) = app.ws(&ann.token).await;
    assert_eq!(ready["online"], json!([]));
    let (bob_ws, _) = app.ws(&bob.token).await;
    let res = app
        .post(
            "/api/v1/chats/direct",
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(ann_ws.next_of("presence").await, presence(bob.id, true));
    drop(bob_ws);
    let offline = ann_ws.next_of("presence").await;
    assert_eq!(offline, presence(bob.id, false));
}

#[actix_web::test]
async fn a_member_added_later_and_the_members_learn_of_each_other() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "team", &[], false).await;
    let (mut ann_ws, _) = app.ws(&ann.token).await;
    let (mut bob_ws, ready) = app.ws(&bob.token).await;
    assert_eq!(ready["online"], json!([]), "no chat shared yet");
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/members"),
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        ann_ws.next_of("presence").await,
        presence(bob.id, true),
        "the owner sees the newcomer"
    );
    assert_eq!(
        bob_ws.next_of("presence").await,
        presence(ann.id, true),
        "the newcomer sees who is there"
    );
    // Once bob is removed they share nothing: his departure is not announced.
    let path = format!("/api/v1/chats/{chat}/members/bob");
    let res = app
        .call(Method::DELETE, &path, Some(&ann.token), &[], None)
        .await;
    assert_eq!(res.status, 204);
    drop(bob_ws);
    // (Members hear of the removal itself as `members_changed`.)
    loop {
        match ann_ws.event(Duration::from_secs(7)).await {
            Event::Silence => break,
            Event::Json(v) if v["type"] == "members_changed" => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[actix_web::test]
async fn a_reconnect_within_the_grace_is_not_announced() {
    let app = spawn_app().await;
    let (bob, mut ann_ws, bob_ws) = ann_sees_bob_arrive(&app).await;
    drop(bob_ws);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (bob_ws, _) = app.ws(&bob.token).await;
    // Neither "offline" at the first departure's deadline nor a second "online".
    match ann_ws.event(Duration::from_secs(6)).await {
        Event::Silence => {}
        other => panic!("unexpected {other:?}"),
    }
    drop(bob_ws);
    assert_eq!(ann_ws.next_of("presence").await, presence(bob.id, false));
}
