use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz", None).await.status, 200);
    assert_eq!(app.get("/readyz", None).await.status, 200);
    app.get("/api/v1/users/me", None).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    let text = metrics.body.as_str().unwrap();
    assert!(text.contains("microchat_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/users/me\""), "{text}");
}

#[actix_web::test]
async fn every_response_carries_a_unique_request_id() {
    let app = spawn_app().await;
    let a = app.get("/healthz", None).await;
    let b = app.get("/no/such/thing", None).await;
    let c = app.get("/api/v1/users/me", None).await;
    let ids: Vec<_> = [&a, &b, &c]
        .iter()
        .map(|r| r.header("x-request-id").expect("X-Request-Id"))
        .collect();
    assert!(ids.iter().all(|id| id.len() >= 16));
    assert!(ids[0] != ids[1] && ids[1] != ids[2]);
}

#[actix_web::test]
async fn unknown_routes_are_404_in_the_contract_shape() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing", None)
        .await
        .assert_error(404, "not_found");
    let res = app
        .call(Method::PATCH, "/api/v1/auth/login", None, &[], None)
        .await;
    assert!(res.status == 404 || res.status == 400, "{}", res.status);
    assert!(res.body["error"]["code"].is_string(), "{}", res.body);
}

#[actix_web::test]
async fn bodies_over_64_kib_are_413() {
    let app = spawn_app().await;
    let big = json!({"login": "x".repeat(70 * 1024), "password": "p"}).to_string();
    let res = app
        .call_raw(
            Method::POST,
            "/api/v1/auth/login",
            None,
            "application/json",
            big.into_bytes(),
        )
        .await;
    res.assert_error(413, "payload_too_large");
    let just_under = json!({"login": "x".repeat(60 * 1024), "password": "p"}).to_string();
    let res = app
        .call_raw(
            Method::POST,
            "/api/v1/auth/login",
            None,
            "application/json",
            just_under.into_bytes(),
        )
        .await;
    res.assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn malformed_json_and_wrong_content_types_are_400() {
    let app = spawn_app().await;
    let res = app
        .call_raw(
            Method::POST,
            "/api/v1/auth/login",
            None,
            "application/json",
            b"{\"login\": ".to_vec(),
        )
        .await;
    res.assert_error(400, "bad_request");
    let res = app
        .call_raw(
            Method::POST,
            "/api/v1/auth/register",
            None,
            "text/plain",
            b"hello".to_vec(),
        )
        .await;
    res.assert_error(400, "bad_request");
    let res = app
        .call_raw(
            Method::POST,
            "/api/v1/auth/login",
            None,
            "application/json",
            b"[1,2]".to_vec(),
        )
        .await;
    res.assert_error(400, "bad_request");
}

#[actix_web::test]
async fn the_web_ui_is_served_with_a_strict_content_security_policy() {
    let app = spawn_app().await;
    let res = app.get("/", None).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let csp = res.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
}

#[actix_web::test]
async fn odd_http_methods_do_not_add_metric_series() {
    let app = spawn_app().await;
    for n in 0..20 {
        let method = Method::from_bytes(format!("ODD{n}{}", "X".repeat(200)).as_bytes()).unwrap();
        app.call(method, "/api/v1/users/me", None, &[], None).await;
    }
    let text = app
        .get("/metrics", None)
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!text.contains("ODD"), "raw methods became labels");
    assert!(text.contains("method=\"OTHER\""), "{text}");
}

#[actix_web::test]
async fn metrics_can_require_a_bearer_token() {
    let token = "metrics-token-metrics-token-0123456789";
    let app = spawn_app_with(|s| {
        s.metrics_token = Some(microchat::config::Secret(token.into()));
    })
    .await;
    app.get("/metrics", None)
        .await
        .assert_error(401, "unauthorized");
    app.get("/metrics", Some("wrong-token"))
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(app.get("/metrics", Some(token)).await.status, 200);
}

#[actix_web::test]
async fn responses_carry_nosniff_a_referrer_policy_and_hsts_behind_https() {
    let app = spawn_app().await;
    for path in ["/api/v1/users/me", "/healthz", "/"] {
        let res = app.get(path, None).await;
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            res.header("referrer-policy").as_deref(),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(
            res.header("strict-transport-security"),
            None,
            "plain http: {path}"
        );
    }
    let app = spawn_app_with(|s| s.public_url = Some("https://chat.example.com".into())).await;
    let res = app.get("/healthz", None).await;
    assert_eq!(
        res.header("strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );
}
