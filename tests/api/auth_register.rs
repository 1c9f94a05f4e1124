use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};

#[actix_web::test]
async fn register_returns_201_with_the_user_as_typed_and_role_user() {
    let app = spawn_app().await;
    let res = app.register("Alice.B", "Alice@Example.COM", PASSWORD).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let user = &res.body;
    assert!(user["id"].is_i64());
    assert_eq!(user["username"], "Alice.B");
    assert_eq!(user["email"], "alice@example.com");
    assert_eq!(user["role"], "user");
    let created = user["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.contains('T'), "{created}");
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());
}

#[actix_web::test]
async fn register_reports_every_invalid_field_with_422() {
    let app = spawn_app().await;
    let res = app.register("a b", "not-an-email", "short").await;
    res.assert_error(422, "validation_failed");
    let fields = &res.body["error"]["details"]["fields"];
    for f in ["username", "email", "password"] {
        assert!(fields[f].is_string(), "{f} missing in {fields}");
    }

    for (username, email, password, field) in [
        ("ab", "ok@example.com", PASSWORD, "username"),
        (&*"a".repeat(33), "ok@example.com", PASSWORD, "username"),
        ("okname", "ok@example", PASSWORD, "email"),
        ("okname", "o k@example.com", PASSWORD, "email"),
        ("okname", "ok@example.com", "lettersonly", "password"),
        ("okname", "ok@example.com", "1234567890", "password"),
        (
            "okname",
            "ok@example.com",
            &*format!("a1{}", "x".repeat(127)),
            "password",
        ),
    ] {
        let res = app.register(username, email, password).await;
        res.assert_error(422, "validation_failed");
        let fields = res.body["error"]["details"]["fields"].as_object().unwrap();
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            vec![field],
            "{username} {email}"
        );
    }
}

#[actix_web::test]
async fn register_with_a_missing_field_or_wrong_type_is_400() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"username": "bob", "password": PASSWORD}),
        )
        .await;
    res.assert_error(400, "bad_request");
    let res = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"username": 5, "email": "b@example.com", "password": PASSWORD}),
        )
        .await;
    res.assert_error(400, "bad_request");
}

#[actix_web::test]
async fn usernames_and_emails_are_unique_case_insensitively() {
    let app = spawn_app().await;
    assert_eq!(
        app.register("Carol", "carol@example.com", PASSWORD)
            .await
            .status,
        201
    );
    let res = app.register("carol", "other@example.com", PASSWORD).await;
    res.assert_error(409, "conflict");
    let res = app.register("carol2", "CAROL@example.com", PASSWORD).await;
    res.assert_error(409, "conflict");
    assert_eq!(res.body["error"]["details"]["field"], "email");
}

#[actix_web::test]
async fn fifty_concurrent_registrations_of_one_username_give_exactly_one_201() {
    let app = spawn_app().await;
    let attempts = (0..50).map(|i| {
        let app = &app;
        async move {
            app.register("racer", &format!("racer{i}@example.com"), PASSWORD)
                .await
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        created,
        1,
        "statuses: {:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(conflicts, 49);
    for r in results.iter().filter(|r| r.status == 409) {
        r.assert_error(409, "conflict");
    }
}

#[actix_web::test]
async fn register_login_and_guest_are_rate_limited_per_client_address() {
    let app = spawn_app_with(|s| s.auth_rate_per_minute = 3).await;
    for i in 0..3 {
        let res = app
            .register(&format!("user{i}"), &format!("u{i}@example.com"), PASSWORD)
            .await;
        assert_eq!(res.status, 201);
    }
    let res = app.register("user9", "u9@example.com", PASSWORD).await;
    res.assert_error(429, "rate_limited");
    let retry: u64 = res
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    app.login("user0", PASSWORD)
        .await
        .assert_error(429, "rate_limited");
    app.post("/api/v1/auth/guest", None, json!(null))
        .await
        .assert_error(429, "rate_limited");
}
