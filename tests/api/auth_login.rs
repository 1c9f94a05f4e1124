use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};

#[actix_web::test]
async fn login_by_username_or_email_returns_a_bearer_token_and_the_user() {
    let app = spawn_app().await;
    app.register("Dave", "dave@example.com", PASSWORD).await;
    for login in ["Dave", "dave", "DAVE@example.com"] {
        let res = app.login(login, PASSWORD).await;
        assert_eq!(res.status, 200, "{login}: {}", res.body);
        assert_eq!(res.body["token_type"], "Bearer");
        assert_eq!(res.body["expires_in"], 900);
        assert!(
            res.body["access_token"]
                .as_str()
                .unwrap()
                .split('.')
                .count()
                == 3
        );
        assert_eq!(res.body["user"]["username"], "Dave");
        assert_eq!(res.body["user"]["email"], "dave@example.com");
    }
}

#[actix_web::test]
async fn the_refresh_cookie_has_the_contract_attributes() {
    let app = spawn_app().await;
    app.register("erin", "erin@example.com", PASSWORD).await;
    let res = app.login("erin", PASSWORD).await;
    let line = res.refresh_set_cookie().expect("Set-Cookie refresh_token");
    let attrs: Vec<String> = line
        .split(';')
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    let value = attrs[0].strip_prefix("refresh_token=").unwrap();
    assert!(value.len() >= 43, "at least 256 bits: {value}");
    for want in ["httponly", "samesite=strict", "path=/api/v1/auth", "secure"] {
        assert!(attrs.iter().any(|a| a == want), "{want} missing in {line}");
    }
    let max_age = attrs
        .iter()
        .find_map(|a| a.strip_prefix("max-age="))
        .expect("Max-Age");
    assert_eq!(max_age, (30 * 86_400).to_string());
}

#[actix_web::test]
async fn insecure_dev_mode_drops_only_the_secure_attribute() {
    let app = spawn_app_with(|s| s.insecure_dev = true).await;
    app.register("fred", "fred@example.com", PASSWORD).await;
    let line = app
        .login("fred", PASSWORD)
        .await
        .refresh_set_cookie()
        .unwrap()
        .to_ascii_lowercase();
    assert!(!line.contains("secure"), "{line}");
    assert!(line.contains("httponly") && line.contains("samesite=strict"));
}

#[actix_web::test]
async fn wrong_password_and_unknown_login_get_the_same_401() {
    let app = spawn_app().await;
    app.register("gina", "gina@example.com", PASSWORD).await;
    let wrong = app.login("gina", "wrong password 1").await;
    let unknown = app.login("nobody", PASSWORD).await;
    wrong.assert_error(401, "unauthorized");
    unknown.assert_error(401, "unauthorized");
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.refresh_set_cookie().is_none());
}

#[actix_web::test]
async fn failed_logins_are_limited_per_account_and_successes_are_not_counted() {
    let app = spawn_app_with(|s| s.login_failures_per_account = 3).await;
    app.register("hank", "hank@example.com", PASSWORD).await;
    app.register("ivy", "ivy@example.com", PASSWORD).await;
    for _ in 0..5 {
        assert_eq!(app.login("ivy", PASSWORD).await.status, 200);
    }
    for _ in 0..3 {
        app.login("hank", "bad password 1")
            .await
            .assert_error(401, "unauthorized");
    }
    let res = app.login("HANK", PASSWORD).await;
    res.assert_error(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
    assert_eq!(
        app.login("ivy", PASSWORD).await.status,
        200,
        "other accounts unaffected"
    );
}

#[actix_web::test]
async fn a_guest_gets_a_session_with_role_guest_and_no_email() {
    let app = spawn_app().await;
    let res = app
        .call(Method::POST, "/api/v1/auth/guest", None, &[], None)
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let user = &res.body["user"];
    assert_eq!(user["role"], "guest");
    assert!(user["username"].as_str().unwrap().starts_with("guest-"));
    assert!(user["email"].is_null());
    assert!(res.refresh_set_cookie().is_some());
    let token = res.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/users/me", Some(token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["role"], "guest");
    let refreshed = app.refresh(&res.refresh_cookie().unwrap(), None).await;
    assert_eq!(
        refreshed.status, 200,
        "guests stay signed in: {}",
        refreshed.body
    );
    let search = app.get("/api/v1/users?q=a", Some(token)).await;
    search.assert_error(403, "forbidden");
}

#[actix_web::test]
async fn the_session_body_never_carries_the_refresh_token() {
    let app = spawn_app().await;
    app.register("jack", "jack@example.com", PASSWORD).await;
    let res = app.login("jack", PASSWORD).await;
    let cookie = res.refresh_cookie().unwrap();
    let value = cookie.strip_prefix("refresh_token=").unwrap();
    assert!(!res.body.to_string().contains(value));
    let keys: Vec<_> = res.body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    let _ = json!(null);
}
