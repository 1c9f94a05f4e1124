//! Consent (issue 13): blocks, and `--add-policy shared`.

use std::time::Duration;

use actix_web::http::Method;
use microchat::config::AddPolicy;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, Resp, TestApp};
use crate::ws_client::Event;

async fn block(app: &TestApp, token: &str, user_id: i64) -> Resp {
    let path = format!("/api/v1/users/me/blocks/{user_id}");
    app.call(Method::PUT, &path, Some(token), &[], None).await
}

fn assert_reason(res: &Resp, reason: &str) {
    res.assert_error(403, "forbidden");
    assert_eq!(
        res.body["error"]["details"]["reason"], reason,
        "{}",
        res.body
    );
}

#[actix_web::test]
async fn blocks_are_listed_and_undone() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    assert_eq!(block(&app, &ann.token, bob.id).await.status, 204);
    assert_eq!(
        block(&app, &ann.token, bob.id).await.status,
        204,
        "again: no-op"
    );
    let listed = app.get("/api/v1/users/me/blocks", Some(&ann.token)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["username"], "bob");
    assert!(listed.body[0].get("email").is_none());
    assert_eq!(
        app.get("/api/v1/users/me/blocks", Some(&bob.token))
            .await
            .body,
        json!([])
    );

    block(&app, &ann.token, ann.id)
        .await
        .assert_error(422, "validation_failed");
    block(&app, &ann.token, 99_999)
        .await
        .assert_error(404, "not_found");
    block(&app, "nope", bob.id)
        .await
        .assert_error(401, "unauthorized");
    let path = format!("/api/v1/users/me/blocks/{}", bob.id);
    let del = app
        .call(Method::DELETE, &path, Some(&ann.token), &[], None)
        .await;
    assert_eq!(del.status, 204);
    assert_eq!(
        app.get("/api/v1/users/me/blocks", Some(&ann.token))
            .await
            .body,
        json!([])
    );
}

#[actix_web::test]
async fn someone_who_blocked_you_cannot_be_messaged_directly_or_added() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let direct = app
        .post(
            "/api/v1/chats/direct",
            Some(&bob.token),
            json!({"username": "ann"}),
        )
        .await;
    assert_eq!(direct.status, 201);
    let direct = direct.body["id"].as_i64().unwrap();
    let team = app.create_chat(&ann.token, "team", &["bob"], false).await;
    let bobs = app.create_chat(&bob.token, "bobs", &[], false).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;

    assert_eq!(block(&app, &ann.token, bob.id).await.status, 204);
    assert_reason(
        &app.send_rest(&bob.token, direct, "hi", None).await,
        "blocked",
    );
    bob_ws
        .send(json!({"type": "send", "chat_id": direct, "body": "hi", "client_id": "c1", "ref": 1}))
        .await;
    let err = bob_ws.next_of("error").await;
    assert_eq!(err["code"], "forbidden", "{err}");
    assert_reason(
        &app.post(
            "/api/v1/chats/direct",
            Some(&bob.token),
            json!({"username": "ann"}),
        )
        .await,
        "blocked",
    );
    assert_reason(
        &app.post(
            "/api/v1/chats",
            Some(&bob.token),
            json!({"name": "x", "members": ["ann"]}),
        )
        .await,
        "blocked",
    );
    assert_reason(
        &app.post(
            &format!("/api/v1/chats/{bobs}/members"),
            Some(&bob.token),
            json!({"username": "ann"}),
        )
        .await,
        "blocked",
    );

    // The blocker still may; a shared group chat carries on.
    assert_eq!(
        app.send_rest(&ann.token, direct, "still here", None)
            .await
            .status,
        201
    );
    assert_eq!(
        app.send_rest(&bob.token, team, "hello team", None)
            .await
            .status,
        201
    );
    let history = app
        .get(
            &format!("/api/v1/chats/{direct}/messages"),
            Some(&ann.token),
        )
        .await;
    assert_eq!(
        history.body.as_array().unwrap().len(),
        1,
        "{}",
        history.body
    );

    let path = format!("/api/v1/users/me/blocks/{}", bob.id);
    app.call(Method::DELETE, &path, Some(&ann.token), &[], None)
        .await;
    assert_eq!(
        app.send_rest(&bob.token, direct, "hi again", None)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn typing_and_presence_do_not_reach_someone_who_blocked_you() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let cid = app.signup("cid").await;
    let team = app
        .create_chat(&ann.token, "team", &["bob", "cid"], false)
        .await;
    assert_eq!(block(&app, &ann.token, bob.id).await.status, 204);

    let (mut ann_ws, _) = app.ws(&ann.token).await;
    let (mut cid_ws, _) = app.ws(&cid.token).await;
    let (mut bob_ws, bob_ready) = app.ws(&bob.token).await;
    // Bob still sees Ann (he did not block her); Ann never hears Bob arrive.
    let online: Vec<i64> = serde_json::from_value(bob_ready["online"].clone()).unwrap();
    assert!(online.contains(&ann.id), "{bob_ready}");
    assert_eq!(
        cid_ws.next_of("presence").await,
        json!({"type": "presence", "user_id": bob.id, "online": true})
    );

    bob_ws
        .send(json!({"type": "typing", "chat_id": team}))
        .await;
    let typing = cid_ws.next_of("typing").await;
    assert_eq!(typing["user"]["id"], bob.id);
    loop {
        match ann_ws.event(Duration::from_millis(700)).await {
            Event::Silence => break,
            Event::Json(v) => {
                assert!(
                    !(v["type"] == "typing" || (v["type"] == "presence" && v["user_id"] == bob.id)),
                    "ann heard {v}"
                );
            }
            Event::Closed(c) => panic!("closed {c:?}"),
        }
    }
    // A reconnect of Ann: Bob is not in her `online`.
    drop(ann_ws);
    let (_ann_ws, ready) = app.ws(&ann.token).await;
    let online: Vec<i64> = serde_json::from_value(ready["online"].clone()).unwrap();
    assert!(!online.contains(&bob.id), "{ready}");
    assert!(online.contains(&cid.id), "{ready}");
}

#[actix_web::test]
async fn under_the_shared_policy_only_known_people_can_be_added() {
    let app = spawn_app_with(|s| {
        s.add_policy = AddPolicy::Shared;
        s.invites_by_users = true;
    })
    .await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let root = app.signup("root").await;
    app.make_admin("root");

    let res = app
        .post(
            "/api/v1/chats",
            Some(&ann.token),
            json!({"name": "x", "members": ["bob"]}),
        )
        .await;
    assert_reason(&res, "not_connected");
    assert_reason(
        &app.post(
            "/api/v1/chats/direct",
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await,
        "not_connected",
    );
    let mine = app.create_chat(&ann.token, "mine", &[], false).await;
    assert_reason(
        &app.post(
            &format!("/api/v1/chats/{mine}/members"),
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await,
        "not_connected",
    );
    // Admins are not bound by the policy.
    app.create_chat(&root.token, "ops", &["bob"], false).await;

    // Meeting in a public chat makes them known to each other.
    let lobby = app.create_chat(&bob.token, "lobby", &[], true).await;
    let join = app
        .post(
            &format!("/api/v1/chats/{lobby}/join"),
            Some(&ann.token),
            json!({}),
        )
        .await;
    assert_eq!(join.status, 200);
    app.create_chat(&ann.token, "pair", &["bob"], false).await;
    let res = app
        .post(
            "/api/v1/chats/direct",
            Some(&ann.token),
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);

    // Someone who signed up with Ann's invite can be added by Ann (only).
    let inv = app
        .post("/api/v1/invites", Some(&ann.token), json!({}))
        .await;
    let code = inv.body["code"].as_str().unwrap();
    let reg = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"username": "dan", "email": "dan@example.com", "password": crate::helpers::PASSWORD, "invite": code}),
        )
        .await;
    assert_eq!(reg.status, 201, "{}", reg.body);
    app.create_chat(&ann.token, "welcome", &["dan"], false)
        .await;
    assert_reason(
        &app.post(
            "/api/v1/chats",
            Some(&bob.token),
            json!({"name": "y", "members": ["dan"]}),
        )
        .await,
        "not_connected",
    );
}
