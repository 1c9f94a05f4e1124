//! Registration policy, guests and invites (issue 13).

use actix_web::http::Method;
use diesel::RunQueryDsl;
use microchat::config::{Registration, Switch};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Account, TestApp, PASSWORD};

async fn invite(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/api/v1/invites", Some(token), body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

async fn register_with(app: &TestApp, name: &str, invite: Option<&str>) -> crate::helpers::Resp {
    let mut body =
        json!({"username": name, "email": format!("{name}@example.com"), "password": PASSWORD});
    if let Some(code) = invite {
        body["invite"] = json!(code);
    }
    app.post("/api/v1/auth/register", None, body).await
}

fn assert_reason(res: &crate::helpers::Resp, reason: &str) {
    res.assert_error(403, "forbidden");
    assert_eq!(
        res.body["error"]["details"]["reason"], reason,
        "{}",
        res.body
    );
}

/// Only for tests that need an invite in the past.
fn expire(app: &TestApp, code: &str) {
    let mut conn = microchat::db::establish(&app.settings.database_url).unwrap();
    diesel::sql_query(format!(
        "UPDATE invites SET expires_at = created_at WHERE code = '{code}'"
    ))
    .execute(&mut conn)
    .unwrap();
}

#[actix_web::test]
async fn the_policy_is_public_and_follows_the_flags() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/auth/policy", None).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, json!({"registration": "open", "guests": "on"}));

    let app = spawn_app_with(|s| {
        s.registration = Registration::Invite;
        s.guests = Switch::Off;
    })
    .await;
    let res = app.get("/api/v1/auth/policy", None).await;
    assert_eq!(res.body, json!({"registration": "invite", "guests": "off"}));
    assert_reason(
        &app.post("/api/v1/auth/guest", None, json!({})).await,
        "guests_disabled",
    );
}

#[actix_web::test]
async fn closed_registration_refuses_everyone_even_with_an_invite() {
    let app = spawn_app_with(|s| s.registration = Registration::Closed).await;
    // The first admin is made by the operator; registration is closed for all.
    assert_reason(
        &register_with(&app, "ann", None).await,
        "registration_closed",
    );
    assert_reason(
        &register_with(&app, "ann", Some("abc")).await,
        "registration_closed",
    );
    // Guests are a separate switch.
    assert_eq!(
        app.post("/api/v1/auth/guest", None, json!({})).await.status,
        201
    );
}

#[actix_web::test]
async fn invite_registration_needs_a_good_code_and_says_why_not() {
    let app = spawn_app_with(|s| s.registration = Registration::Invite).await;
    let root = seed_admin(&app).await;
    assert_reason(&register_with(&app, "ann", None).await, "invite_required");
    assert_reason(
        &register_with(&app, "ann", Some("  ")).await,
        "invite_required",
    );
    assert_reason(
        &register_with(&app, "ann", Some("nope")).await,
        "invite_unknown",
    );
    let inv = invite(&app, &root.token, json!({})).await;
    let res = register_with(&app, "ann", inv["code"].as_str()).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(app.login("ann", PASSWORD).await.status, 200);
}

#[actix_web::test]
async fn an_invite_works_max_uses_times_then_is_used_up_and_can_expire() {
    let app = spawn_app().await;
    let root = app.signup_admin("root").await;
    let inv = invite(
        &app,
        &root.token,
        json!({"max_uses": 2, "expires_in": 3600}),
    )
    .await;
    let code = inv["code"].as_str().unwrap();
    assert_eq!(inv["uses"], 0);
    assert_eq!(inv["max_uses"], 2);
    assert_eq!(inv["created_by"]["username"], "root");
    assert!(
        inv["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/#/invite/{code}")),
        "{inv}"
    );
    assert!(inv["expires_at"].is_string());

    assert_eq!(register_with(&app, "ann", Some(code)).await.status, 201);
    // A taken username gives the use back.
    assert_eq!(register_with(&app, "ann", Some(code)).await.status, 409);
    assert_eq!(register_with(&app, "bob", Some(code)).await.status, 201);
    assert_reason(
        &register_with(&app, "cid", Some(code)).await,
        "invite_used_up",
    );

    let listed = app.get("/api/v1/invites", Some(&root.token)).await;
    assert_eq!(listed.body[0]["uses"], 2, "{}", listed.body);

    let other = invite(&app, &root.token, json!({})).await;
    assert_eq!(other["max_uses"], Value::Null);
    let other = other["code"].as_str().unwrap();
    expire(&app, other);
    assert_reason(
        &register_with(&app, "dan", Some(other)).await,
        "invite_expired",
    );
}

#[actix_web::test]
async fn twenty_concurrent_registrations_on_five_uses_make_exactly_five_accounts() {
    let app = spawn_app_with(|s| s.registration = Registration::Invite).await;
    let root = seed_admin(&app).await;
    let inv = invite(&app, &root.token, json!({"max_uses": 5})).await;
    let code = inv["code"].as_str().unwrap().to_owned();
    let attempts = (0..20).map(|i| {
        let (app, code) = (&app, code.clone());
        async move { register_with(app, &format!("user{i}"), Some(&code)).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        created,
        5,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in results.iter().filter(|r| r.status != 201) {
        assert_reason(r, "invite_used_up");
    }
    let listed = app.get("/api/v1/invites", Some(&root.token)).await;
    assert_eq!(listed.body[0]["uses"], 5);
}

/// An admin on a server whose registration needs an invite: inserted the
/// way `microchat user set-role` finds accounts, then logged in.
async fn seed_admin(app: &TestApp) -> Account {
    let hash = microchat::security::password::hash(PASSWORD).unwrap();
    let mut conn = microchat::db::establish(&app.settings.database_url).unwrap();
    microchat::db::users::create(
        &mut conn,
        &microchat::db::users::NewUser {
            username: "root",
            username_lower: "root",
            email: Some("root@example.com"),
            password_hash: Some(&hash),
            role: "admin",
            created_at: chrono::Utc::now().naive_utc(),
            invited_by: None,
        },
    )
    .unwrap();
    let login = app.login("root", PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    Account {
        id: login.body["user"]["id"].as_i64().unwrap(),
        token: login.body["access_token"].as_str().unwrap().to_owned(),
        cookie: login.refresh_cookie().unwrap(),
    }
}

#[actix_web::test]
async fn who_may_make_see_and_revoke_invites() {
    let app = spawn_app().await;
    let root = app.signup_admin("root").await;
    let ann = app.signup("ann").await;
    let guest = app.post("/api/v1/auth/guest", None, json!({})).await;
    let guest = guest.body["access_token"].as_str().unwrap().to_owned();

    app.post("/api/v1/invites", Some(&ann.token), json!({}))
        .await
        .assert_error(403, "forbidden");
    app.post("/api/v1/invites", Some(&guest), json!({}))
        .await
        .assert_error(403, "forbidden");
    app.post("/api/v1/invites", None, json!({}))
        .await
        .assert_error(401, "unauthorized");
    let bad = app
        .post(
            "/api/v1/invites",
            Some(&root.token),
            json!({"max_uses": 0, "expires_in": 5}),
        )
        .await;
    bad.assert_error(422, "validation_failed");
    assert!(bad.body["error"]["details"]["fields"]["max_uses"].is_string());
    assert!(bad.body["error"]["details"]["fields"]["expires_in"].is_string());

    let mine = invite(&app, &root.token, json!({})).await;
    let code = mine["code"].as_str().unwrap();
    // A user sees only its own (none); an admin sees all.
    assert_eq!(
        app.get("/api/v1/invites", Some(&ann.token)).await.body,
        json!([])
    );
    app.call(
        Method::DELETE,
        &format!("/api/v1/invites/{code}"),
        Some(&ann.token),
        &[],
        None,
    )
    .await
    .assert_error(404, "not_found");
    let del = app
        .call(
            Method::DELETE,
            &format!("/api/v1/invites/{code}"),
            Some(&root.token),
            &[],
            None,
        )
        .await;
    assert_eq!(del.status, 204);
    assert_reason(
        &register_with(&app, "bob", Some(code)).await,
        "invite_unknown",
    );
}

#[actix_web::test]
async fn users_make_invites_when_the_flag_allows_and_see_only_theirs() {
    let app = spawn_app_with(|s| s.invites_by_users = true).await;
    let root = app.signup_admin("root").await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    invite(&app, &root.token, json!({})).await;
    let anns = invite(&app, &ann.token, json!({"max_uses": 1})).await;
    invite(&app, &bob.token, json!({})).await;
    let listed = app.get("/api/v1/invites", Some(&ann.token)).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.body[0]["code"], anns["code"]);
    let all = app.get("/api/v1/invites", Some(&root.token)).await;
    assert_eq!(all.body.as_array().unwrap().len(), 3);
    let code = anns["code"].as_str().unwrap();
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/v1/invites/{code}"),
            Some(&ann.token),
            &[],
            None
        )
        .await
        .status,
        204
    );
}
