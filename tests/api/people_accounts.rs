//! Admin account control and passwords (issue 13): disabling, reset links,
//! changing one's password.

use std::time::Duration;

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "battery staple 2";

async fn put(
    app: &TestApp,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> crate::helpers::Resp {
    app.call(Method::PUT, path, Some(token), &[], Some(body))
        .await
}

#[actix_web::test]
async fn a_disabled_user_is_locked_out_at_once_and_its_messages_stay() {
    let app = spawn_app().await;
    let root = app.signup_admin("root").await;
    let crate::fixtures::ConnectedPair {
        ann,
        bob,
        chat,
        mut bob_ws,
        ..
    } = app.connected_pair().await;
    let sent = app
        .post(
            &format!("/api/v1/chats/{chat}/messages"),
            Some(&bob.token),
            json!({"body": "hi"}),
        )
        .await;
    assert_eq!(sent.status, 201);
    // Warm the access cache so the test shows it is dropped, not just missed.
    assert_eq!(
        app.get("/api/v1/users/me", Some(&bob.token)).await.status,
        200
    );

    let path = format!("/api/v1/users/{}/disabled", bob.id);
    put(&app, &path, &ann.token, json!({"disabled": true}))
        .await
        .assert_error(403, "forbidden");
    let res = put(&app, &path, &root.token, json!({"disabled": true})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["disabled"], true);
    assert_eq!(res.body["username"], "bob");

    assert_eq!(bob_ws.closed(Duration::from_secs(5)).await, Some(4003));
    app.get("/api/v1/users/me", Some(&bob.token))
        .await
        .assert_error(401, "unauthorized");
    app.refresh(&bob.cookie, None)
        .await
        .assert_error(401, "unauthorized");
    let login = app.login("bob", PASSWORD).await;
    login.assert_error(403, "forbidden");
    assert_eq!(login.body["error"]["details"]["reason"], "disabled");
    // A wrong password still says nothing about the account.
    app.login("bob", "wrong password 1")
        .await
        .assert_error(401, "unauthorized");

    let history = app
        .get(&format!("/api/v1/chats/{chat}/messages"), Some(&ann.token))
        .await;
    assert_eq!(history.body[0]["body"], "hi", "{}", history.body);
    // Admins see the flag; others do not.
    let seen = app.get("/api/v1/users?q=bob", Some(&root.token)).await;
    assert_eq!(seen.body[0]["disabled"], true);
    let seen = app.get("/api/v1/users?q=bob", Some(&ann.token)).await;
    assert!(seen.body[0].get("disabled").is_none(), "{}", seen.body);

    let res = put(&app, &path, &root.token, json!({"disabled": false})).await;
    assert_eq!(res.body["disabled"], false);
    assert_eq!(app.login("bob", PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn admins_cannot_disable_themselves_and_unknown_users_are_404() {
    let app = spawn_app().await;
    let root = app.signup_admin("root").await;
    let own = format!("/api/v1/users/{}/disabled", root.id);
    let refused = [
        (own.as_str(), json!({"disabled": true}), 403, "forbidden"),
        (
            "/api/v1/users/99999/disabled",
            json!({"disabled": true}),
            404,
            "not_found",
        ),
        (own.as_str(), json!({}), 400, "bad_request"),
    ];
    for (path, body, status, code) in refused {
        put(&app, path, &root.token, body)
            .await
            .assert_error(status, code);
    }
}

fn token_of(url: &str) -> String {
    url.rsplit_once("/#/reset/")
        .expect("reset url")
        .1
        .to_owned()
}

#[actix_web::test]
async fn a_reset_link_works_once_and_ends_every_login() {
    let app = spawn_app().await;
    let root = app.signup_admin("root").await;
    let ann = app.signup("ann").await;
    let path = format!("/api/v1/users/{}/reset-link", ann.id);
    app.post(&path, Some(&ann.token), json!({}))
        .await
        .assert_error(403, "forbidden");
    let link = app.post(&path, Some(&root.token), json!({})).await;
    assert_eq!(link.status, 201, "{}", link.body);
    assert!(link.body["expires_at"].is_string());
    let token = token_of(link.body["url"].as_str().unwrap());

    let weak = app
        .post(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "new_password": "short"}),
        )
        .await;
    weak.assert_error(422, "validation_failed");
    assert!(weak.body["error"]["details"]["fields"]["new_password"].is_string());
    let reset = app
        .post(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reset.status, 204, "{}", reset.body);
    app.post(
        "/api/v1/auth/reset",
        None,
        json!({"token": token, "new_password": NEW_PASSWORD}),
    )
    .await
    .assert_error(403, "forbidden");
    app.refresh(&ann.cookie, None)
        .await
        .assert_error(401, "unauthorized");
    app.login("ann", PASSWORD)
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(app.login("ann", NEW_PASSWORD).await.status, 200);

    app.post(
        "/api/v1/auth/reset",
        None,
        json!({"token": "nope", "new_password": NEW_PASSWORD}),
    )
    .await
    .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn an_expired_or_replaced_reset_link_is_refused() {
    let app = spawn_app().await;
    let root = app.signup_admin("root").await;
    let ann = app.signup("ann").await;
    let path = format!("/api/v1/users/{}/reset-link", ann.id);
    let first = app.post(&path, Some(&root.token), json!({})).await;
    let second = app.post(&path, Some(&root.token), json!({})).await;
    let (first, second) = (
        token_of(first.body["url"].as_str().unwrap()),
        token_of(second.body["url"].as_str().unwrap()),
    );
    app.post(
        "/api/v1/auth/reset",
        None,
        json!({"token": first, "new_password": NEW_PASSWORD}),
    )
    .await
    .assert_error(403, "forbidden");
    let mut conn = microchat::db::establish(&app.settings.database_url).unwrap();
    diesel::sql_query("UPDATE reset_tokens SET expires_at = created_at")
        .execute(&mut conn)
        .unwrap();
    app.post(
        "/api/v1/auth/reset",
        None,
        json!({"token": second, "new_password": NEW_PASSWORD}),
    )
    .await
    .assert_error(403, "forbidden");
    assert_eq!(app.login("ann", PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn changing_the_password_keeps_this_login_and_ends_the_others() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    let other = app.login("ann", PASSWORD).await;
    let other_cookie = other.refresh_cookie().unwrap();

    let path = "/api/v1/users/me/password";
    let refused = [
        (
            json!({"current_password": "wrong password 1", "new_password": NEW_PASSWORD}),
            403,
            "forbidden",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "nodigits"}),
            422,
            "validation_failed",
        ),
        (json!({"new_password": NEW_PASSWORD}), 400, "bad_request"),
    ];
    for (body, status, code) in refused {
        put(&app, path, &ann.token, body)
            .await
            .assert_error(status, code);
    }
    let body = json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD});
    let res = put(&app, path, &ann.token, body).await;
    assert_eq!(res.status, 204, "{}", res.body);

    assert_eq!(
        app.refresh(&ann.cookie, None).await.status,
        200,
        "this login stays"
    );
    app.refresh(&other_cookie, None)
        .await
        .assert_error(401, "unauthorized");
    app.login("ann", PASSWORD)
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(app.login("ann", NEW_PASSWORD).await.status, 200);
}
