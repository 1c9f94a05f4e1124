//! Caps on open WebSockets: per user and per client address, over them the
//! upgrade is refused with 429; a closed socket gives its place back.

use std::time::Duration;

use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::ws_client::Event;

/// Retries an upgrade for a while: a closed socket's session ends
/// asynchronously.
async fn eventually_opens(app: &crate::helpers::TestApp, path: &str) -> crate::ws_client::Ws {
    for _ in 0..50 {
        if let Ok(ws) = app.ws_try(path).await {
            return ws;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the place was never given back");
}

#[actix_web::test]
async fn a_user_over_the_session_cap_is_refused_with_429() {
    let app = spawn_app_with(|s| s.ws_sessions_per_user = 3).await;
    let ann = app.signup("ann").await;
    let bob = app.signup("bob").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(app.ws(&ann.token).await.0);
    }
    let path = format!("/api/v1/ws?access_token={}", ann.token);
    assert_eq!(app.ws_try(&path).await.err(), Some(429), "a 4th socket");
    // Another user is not affected.
    app.ws(&bob.token).await;
    // A socket authenticating by frame is counted too: closed with 1008.
    let mut late = app.ws_raw("/api/v1/ws").await;
    late.send(json!({"type": "auth", "token": ann.token})).await;
    match late.event(Duration::from_secs(5)).await {
        Event::Closed(code) => assert_eq!(code, Some(1008)),
        Event::Json(frame) => panic!("expected a close, got {frame}"),
        other => panic!("expected a close, got {other:?}"),
    }
    // Closing one gives its place back.
    open.pop().unwrap().close().await;
    let (_, ready) = {
        let mut ws = eventually_opens(&app, &path).await;
        let ready = ws.next_json().await;
        (ws, ready)
    };
    assert_eq!(ready["type"], "ready");
}

#[actix_web::test]
async fn an_address_over_the_connection_cap_is_refused_with_429() {
    let app = spawn_app_with(|s| s.ws_connections_per_address = 2).await;
    let ann = app.signup("ann").await;
    let first = app.ws_raw("/api/v1/ws").await;
    let _second = app.ws(&ann.token).await;
    assert_eq!(app.ws_try("/api/v1/ws").await.err(), Some(429));
    let path = format!("/api/v1/ws?access_token={}", ann.token);
    assert_eq!(app.ws_try(&path).await.err(), Some(429));
    // REST from the same address is not affected.
    assert_eq!(
        app.get("/api/v1/users/me", Some(&ann.token)).await.status,
        200
    );
    first.close().await;
    eventually_opens(&app, "/api/v1/ws").await;
}

/// What a proxy in front says the client's address is.
fn forwarded_for(client: &str) -> [(&str, &str); 1] {
    [("X-Forwarded-For", client)]
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_cap() {
    let app = spawn_app_with(|s| {
        s.trust_proxy = true;
        s.ws_connections_per_address = 1;
    })
    .await;
    let path = "/api/v1/ws";
    let _first = app
        .ws_try_with(path, &forwarded_for("10.0.0.1"))
        .await
        .expect("the first client's socket");
    assert_eq!(
        app.ws_try_with(path, &forwarded_for("10.0.0.1"))
            .await
            .err(),
        Some(429),
        "the same client again"
    );
    // The last entry is the one the proxy added; earlier ones are the client's word.
    assert_eq!(
        app.ws_try_with(path, &forwarded_for("10.0.0.9, 10.0.0.1"))
            .await
            .err(),
        Some(429),
        "the same client, whatever it wrote before"
    );
    let _second = app
        .ws_try_with(path, &forwarded_for("10.0.0.2"))
        .await
        .expect("another client behind the same proxy has a place of its own");
}

#[actix_web::test]
async fn without_trust_proxy_a_forwarded_address_does_not_escape_the_cap() {
    let app = spawn_app_with(|s| s.ws_connections_per_address = 1).await;
    let path = "/api/v1/ws";
    let _first = app
        .ws_try_with(path, &forwarded_for("10.0.0.1"))
        .await
        .expect("the first socket");
    assert_eq!(
        app.ws_try_with(path, &forwarded_for("10.0.0.2"))
            .await
            .err(),
        Some(429),
        "the header is ignored: both come from the peer's address"
    );
}
