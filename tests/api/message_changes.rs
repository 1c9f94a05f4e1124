//! Edit, delete, replies, reactions and mentions (issue 14), over REST and
//! WebSocket, on whichever backend the run uses.

use std::time::Duration;

use awc::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{ConnectedPair, Pair};
use crate::helpers::{spawn_app, Resp, TestApp};

impl TestApp {
    pub async fn edit(&self, token: &str, chat: i64, mid: i64, body: &str) -> Resp {
        let path = format!("/api/v1/chats/{chat}/messages/{mid}");
        self.call(
            Method::PATCH,
            &path,
            Some(token),
            &[],
            Some(json!({"body": body})),
        )
        .await
    }

    pub async fn delete_message(&self, token: &str, chat: i64, mid: i64) -> Resp {
        let path = format!("/api/v1/chats/{chat}/messages/{mid}");
        self.call(Method::DELETE, &path, Some(token), &[], None)
            .await
    }

    /// PUT (`add`) or DELETE a reaction; `emoji` is percent-encoded here.
    pub async fn react(&self, token: &str, chat: i64, mid: i64, emoji: &str, add: bool) -> Resp {
        let encoded =
            percent_encoding::utf8_percent_encode(emoji, percent_encoding::NON_ALPHANUMERIC);
        let path = format!("/api/v1/chats/{chat}/messages/{mid}/reactions/{encoded}");
        let method = if add { Method::PUT } else { Method::DELETE };
        self.call(method, &path, Some(token), &[], None).await
    }

    pub async fn sent(&self, token: &str, chat: i64, body: Value) -> Value {
        let res = self
            .post(&format!("/api/v1/chats/{chat}/messages"), Some(token), body)
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        res.body
    }

    pub async fn history(&self, token: &str, chat: i64, query: &str) -> Vec<Value> {
        let res = self
            .get(
                &format!("/api/v1/chats/{chat}/messages{query}"),
                Some(token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body.as_array().unwrap().clone()
    }

    pub async fn chat_of(&self, token: &str, chat: i64) -> Value {
        let res = self.get("/api/v1/chats", Some(token)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == chat)
            .cloned()
            .expect("chat listed")
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn a_new_message_has_the_new_fields_and_growing_versions() {
    let app = spawn_app().await;
    let Pair { ann, chat, .. } = app.pair().await;
    let one = app.sent(&ann.token, chat, json!({"body": "one"})).await;
    let two = app.sent(&ann.token, chat, json!({"body": "two"})).await;
    assert_eq!(one["edited_at"], Value::Null);
    assert_eq!(one["deleted"], false);
    assert_eq!(one["reply_to"], Value::Null);
    assert_eq!(one["reactions"], json!([]));
    assert_eq!(one["mentions"], json!([]));
    assert!(two["version"].as_i64() > one["version"].as_i64());
}

#[actix_web::test]
async fn an_edit_reaches_every_members_session_exactly_once() {
    let app = spawn_app().await;
    let ConnectedPair {
        ann,
        bob,
        chat,
        mut ann_ws,
        mut bob_ws,
    } = app.connected_pair().await;
    let (mut ann2, _) = app.ws(&ann.token).await;
    let sent = app.sent(&ann.token, chat, json!({"body": "helo"})).await;
    for ws in [&mut ann_ws, &mut ann2, &mut bob_ws] {
        ws.next_of("message").await;
    }

    let res = app.edit(&bob.token, chat, id(&sent), "not mine").await;
    res.assert_error(403, "forbidden");
    let res = app.edit(&ann.token, chat, id(&sent), "   ").await;
    res.assert_error(422, "validation_failed");
    assert!(res.body["error"]["details"]["fields"]["body"].is_string());
    let res = app.edit(&ann.token, chat, 999_999, "x").await;
    res.assert_error(404, "not_found");

    let res = app.edit(&ann.token, chat, id(&sent), " hello ").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let edited = res.body;
    assert_eq!(edited["body"], "hello");
    assert!(edited["edited_at"].as_str().unwrap().ends_with('Z'));
    assert!(edited["version"].as_i64() > sent["version"].as_i64());
    for ws in [&mut ann_ws, &mut ann2, &mut bob_ws] {
        let frame = ws.next_of("message_updated").await;
        assert_eq!(frame["message"], edited);
        ws.assert_quiet(Duration::from_millis(300)).await;
    }
    let history = app.history(&bob.token, chat, "").await;
    assert_eq!(history, vec![edited]);
}

#[actix_web::test]
async fn deletion_keeps_the_place_and_blanks_the_message() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let carl = app.signup("carl").await;
    app.add_member(&ann.token, chat, "carl").await;
    let (mut carl_ws, _) = app.ws(&carl.token).await;

    let original = app.sent(&bob.token, chat, json!({"body": "hi @ann"})).await;
    let reply = json!({"body": "reply @bob", "reply_to": id(&original)});
    let by_bob = app.sent(&bob.token, chat, reply).await;
    let res = app.react(&ann.token, chat, id(&by_bob), "👍", true).await;
    assert_eq!(res.status, 204, "{}", res.body);
    carl_ws.next_of("message").await;
    carl_ws.next_of("message").await;
    carl_ws.next_of("message_updated").await;

    // Carl is neither sender nor owner nor admin.
    let res = app.delete_message(&carl.token, chat, id(&by_bob)).await;
    res.assert_error(403, "forbidden");
    // The owner may.
    let res = app.delete_message(&ann.token, chat, id(&by_bob)).await;
    assert_eq!(res.status, 204, "{}", res.body);
    let frame = carl_ws.next_of("message_updated").await;
    let deleted = &frame["message"];
    assert_eq!(deleted["id"], by_bob["id"]);
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["body"], "");
    assert_eq!(deleted["reactions"], json!([]));
    assert_eq!(deleted["mentions"], json!([]));
    assert_eq!(deleted["reply_to"], Value::Null);
    // Again: 204, and nothing new to hear.
    let res = app.delete_message(&ann.token, chat, id(&by_bob)).await;
    assert_eq!(res.status, 204, "{}", res.body);
    carl_ws.assert_quiet(Duration::from_millis(300)).await;

    let history = app.history(&carl.token, chat, "").await;
    assert_eq!(history.len(), 2);
    assert_eq!(&history[1], deleted);

    // A deleted message cannot be edited, replied to or reacted to.
    app.edit(&bob.token, chat, id(&by_bob), "back")
        .await
        .assert_error(404, "not_found");
    app.react(&ann.token, chat, id(&by_bob), "👍", true)
        .await
        .assert_error(404, "not_found");
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/messages"),
            Some(&ann.token),
            json!({"body": "re", "reply_to": id(&by_bob)}),
        )
        .await;
    res.assert_error(422, "validation_failed");
    assert!(res.body["error"]["details"]["fields"]["reply_to"].is_string());

    // An admin may delete anywhere; the sender may delete their own.
    app.make_admin("carl");
    let res = app.delete_message(&bob.token, chat, id(&original)).await;
    assert_eq!(res.status, 204, "{}", res.body);
}

#[actix_web::test]
async fn replies_quote_their_original_over_rest_and_websocket() {
    let app = spawn_app().await;
    let ConnectedPair {
        ann,
        bob,
        chat,
        mut ann_ws,
        mut bob_ws,
    } = app.connected_pair().await;
    let long = "é".repeat(250);
    let original = app.sent(&bob.token, chat, json!({"body": long})).await;
    bob_ws.next_of("message").await;
    ann_ws.next_of("message").await;

    ann_ws
        .send(json!({"type": "send", "chat_id": chat, "body": "yes", "reply_to": id(&original)}))
        .await;
    let ack = ann_ws.next_of("ack").await;
    let quote = &ack["message"]["reply_to"];
    assert_eq!(quote["id"], original["id"]);
    assert_eq!(quote["sender"], json!({"id": bob.id, "username": "bob"}));
    assert_eq!(quote["body"], "é".repeat(200));
    assert_eq!(quote["deleted"], false);
    assert_eq!(bob_ws.next_of("message").await["message"], ack["message"]);

    // Not a message of this chat: 422 on REST, validation_failed on WS.
    let other = app.create_chat(&ann.token, "other", &[], false).await;
    let elsewhere = app.sent(&ann.token, other, json!({"body": "there"})).await;
    ann_ws.next_of("message").await;
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/messages"),
            Some(&ann.token),
            json!({"body": "x", "reply_to": id(&elsewhere)}),
        )
        .await;
    res.assert_error(422, "validation_failed");
    assert!(res.body["error"]["details"]["fields"]["reply_to"].is_string());
    ann_ws
        .send(json!({"type": "send", "chat_id": chat, "body": "x", "reply_to": 999_999, "ref": 1}))
        .await;
    let error = ann_ws.next_of("error").await;
    assert_eq!(error["code"], "validation_failed");
    assert_eq!(error["ref"], 1);

    // The original deleted: the reply's quote says so.
    let res = app.delete_message(&bob.token, chat, id(&original)).await;
    assert_eq!(res.status, 204);
    let history = app.history(&ann.token, chat, "").await;
    let reply = history
        .iter()
        .find(|m| m["id"] == ack["message"]["id"])
        .unwrap();
    assert_eq!(reply["reply_to"]["deleted"], true);
    assert_eq!(reply["reply_to"]["body"], "");
}

#[actix_web::test]
async fn reactions_follow_first_use_and_their_limits() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let m = id(&app.sent(&ann.token, chat, json!({"body": "react"})).await);
    for (who, emoji) in [(&bob, "🎉"), (&ann, "👍"), (&ann, "🎉"), (&ann, "🎉")] {
        let res = app.react(&who.token, chat, m, emoji, true).await;
        assert_eq!(res.status, 204, "{}", res.body);
    }
    let history = app.history(&ann.token, chat, "").await;
    assert_eq!(
        history[0]["reactions"],
        json!([{"emoji": "🎉", "user_ids": [bob.id, ann.id]}, {"emoji": "👍", "user_ids": [ann.id]}])
    );
    for _ in 0..2 {
        let res = app.react(&bob.token, chat, m, "🎉", false).await;
        assert_eq!(res.status, 204, "{}", res.body);
    }
    let history = app.history(&ann.token, chat, "").await;
    assert_eq!(history[0]["reactions"][0]["user_ids"], json!([ann.id]));

    for bad in ["a b", &"x".repeat(33)] {
        let res = app.react(&ann.token, chat, m, bad, true).await;
        res.assert_error(422, "validation_failed");
    }
    // 20 distinct at most: the 21st new one is refused, a used one is not.
    for i in 2..20 {
        let res = app.react(&ann.token, chat, m, &format!("e{i}"), true).await;
        assert_eq!(res.status, 204, "{}", res.body);
    }
    app.react(&bob.token, chat, m, "e21", true)
        .await
        .assert_error(422, "validation_failed");
    let res = app.react(&bob.token, chat, m, "e5", true).await;
    assert_eq!(res.status, 204, "{}", res.body);
}

#[actix_web::test]
async fn mentions_name_members_only_and_are_counted_until_read() {
    let app = spawn_app().await;
    let Pair { ann, bob, chat } = app.pair().await;
    let _carl = app.signup("carl").await;
    let m = app
        .sent(
            &ann.token,
            chat,
            json!({"body": "@BOB and @carl, not x@bob or @bobby"}),
        )
        .await;
    assert_eq!(m["mentions"], json!([bob.id]));
    let plain = app.sent(&ann.token, chat, json!({"body": "no one"})).await;
    let listed = app.chat_of(&bob.token, chat).await;
    assert_eq!(listed["unread"], 2);
    assert_eq!(listed["mentions"], 1);
    assert_eq!(app.chat_of(&ann.token, chat).await["mentions"], 0);

    // Edited away, the mention no longer counts.
    let res = app.edit(&ann.token, chat, id(&m), "hi bob").await;
    assert_eq!(res.body["mentions"], json!([]));
    assert_eq!(app.chat_of(&bob.token, chat).await["mentions"], 0);
    let res = app.edit(&ann.token, chat, id(&m), "hi @bob.").await;
    assert_eq!(res.body["mentions"], json!([bob.id]));
    assert_eq!(app.chat_of(&bob.token, chat).await["mentions"], 1);

    let read = json!({"message_id": id(&plain)});
    let res = app
        .post(
            &format!("/api/v1/chats/{chat}/read"),
            Some(&bob.token),
            read,
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(app.chat_of(&bob.token, chat).await["mentions"], 0);
}

#[actix_web::test]
async fn guests_and_followers_change_nothing() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "open", &[], true).await;
    let m = id(&app.sent(&ann.token, chat, json!({"body": "hi"})).await);
    let bob = app.signup("bob").await;
    app.edit(&bob.token, chat, m, "x")
        .await
        .assert_error(403, "forbidden");
    app.delete_message(&bob.token, chat, m)
        .await
        .assert_error(403, "forbidden");
    app.react(&bob.token, chat, m, "👍", true)
        .await
        .assert_error(403, "forbidden");
    let guest = app
        .call(Method::POST, "/api/v1/auth/guest", None, &[], None)
        .await;
    let token = guest.body["access_token"].as_str().unwrap().to_owned();
    app.react(&token, chat, m, "👍", true)
        .await
        .assert_error(403, "forbidden");
}
