//! The Low findings of the hardening review: reserved guest names, the last
//! admin, `typing` permission, control characters in bodies and names.

use std::time::Duration;

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, PASSWORD};

async fn set_role(app: &TestApp, token: &str, id: i64, role: &str) -> crate::helpers::Resp {
    app.call(
        Method::PUT,
        &format!("/api/v1/users/{id}/role"),
        Some(token),
        &[],
        Some(json!({ "role": role })),
    )
    .await
}

#[actix_web::test]
async fn guest_names_are_reserved_for_guest_accounts() {
    let app = spawn_app().await;
    for name in ["guest-abc", "Guest-1234", "GUEST-x"] {
        let res = app
            .register(name, &format!("{name}@example.com"), PASSWORD)
            .await;
        res.assert_error(422, "validation_failed");
        assert!(
            res.body["error"]["details"]["fields"]["username"].is_string(),
            "{}",
            res.body
        );
    }
    assert_eq!(
        app.register("guestbook", "gb@example.com", PASSWORD)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn the_last_admin_cannot_stop_being_one() {
    let app = spawn_app().await;
    let boss = app.signup("boss").await;
    app.make_admin("boss");
    set_role(&app, &boss.token, boss.id, "user")
        .await
        .assert_error(409, "conflict");
    let deputy = app.signup("deputy").await;
    assert_eq!(
        set_role(&app, &boss.token, deputy.id, "admin").await.status,
        200
    );
    let res = set_role(&app, &boss.token, boss.id, "user").await;
    assert_eq!(res.status, 200, "another admin remains: {}", res.body);
    set_role(&app, &deputy.token, deputy.id, "guest")
        .await
        .assert_error(409, "conflict");
}

#[actix_web::test]
async fn a_member_demoted_to_guest_cannot_send_typing() {
    let app = spawn_app().await;
    let boss = app.signup("boss").await;
    app.make_admin("boss");
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let chat = app.create_chat(&ann.token, "c", &["bob"], false).await;
    let (mut ann_ws, _) = app.ws(&ann.token).await;
    let (mut bob_ws, _) = app.ws(&bob.token).await;
    assert_eq!(
        set_role(&app, &boss.token, bob.id, "guest").await.status,
        200
    );
    bob_ws
        .send(json!({"type": "typing", "chat_id": chat, "ref": 1}))
        .await;
    let error = bob_ws.next_of("error").await;
    assert_eq!(error["code"], "forbidden", "{error}");
    ann_ws.assert_quiet(Duration::from_millis(300)).await;
}

#[actix_web::test]
async fn control_characters_and_bidi_overrides_are_refused_in_bodies() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let chat = app.create_chat(&ann.token, "c", &[], false).await;
    for body in [
        "nul \u{0} here",
        "bell \u{7}",
        "esc \u{1b}[31m",
        "rtl \u{202e}gpj.exe",
        "iso \u{2066}x",
    ] {
        app.send_rest(&ann.token, chat, body, None)
            .await
            .assert_error(422, "validation_failed");
    }
    let (mut ws, _) = app.ws(&ann.token).await;
    ws.send(json!({"type": "send", "chat_id": chat, "body": "a\u{0}b", "ref": 7}))
        .await;
    let error = ws.next_of("error").await;
    assert_eq!(error["code"], "validation_failed", "{error}");
    let res = app
        .send_rest(&ann.token, chat, "two\nlines\tand a tab", None)
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["body"], "two\nlines\tand a tab");
}

#[actix_web::test]
async fn control_characters_are_stripped_from_chat_names() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let body = json!({"name": "te\u{0}am\u{202e} chat\u{7}", "members": [], "public": false});
    let res = app.post("/api/v1/chats", Some(&ann.token), body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["name"], "team chat");
}
