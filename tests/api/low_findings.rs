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

/// `POST /refresh` with a foreign Origin and a matching X-Forwarded-Host.
async fn spoofed_refresh(app: &TestApp, cookie: &str) -> crate::helpers::Resp {
    let headers = [
        ("Cookie", cookie),
        ("Origin", "http://evil.example"),
        ("X-Forwarded-Host", "evil.example"),
    ];
    app.call(Method::POST, "/api/v1/auth/refresh", None, &headers, None)
        .await
}

async fn guest_via(app: &TestApp, forwarded_for: &str) -> u16 {
    let headers = [("X-Forwarded-For", forwarded_for)];
    app.call(Method::POST, "/api/v1/auth/guest", None, &headers, None)
        .await
        .status
}

#[actix_web::test]
async fn forwarded_headers_are_trusted_only_with_trust_proxy() {
    let app = spawn_app().await;
    let ann = app.signup("ann").await;
    spoofed_refresh(&app, &ann.cookie)
        .await
        .assert_error(403, "forbidden");

    let app = crate::helpers::spawn_app_with(|s| {
        s.trust_proxy = true;
        s.auth_rate_per_minute = 3;
    })
    .await;
    let ann = app.signup("ann").await; // 2 auth requests from 127.0.0.1
    let res = spoofed_refresh(&app, &ann.cookie).await;
    assert_eq!(res.status, 200, "the proxy said so: {}", res.body);
    // The client address is the last X-Forwarded-For entry (the proxy's own).
    for _ in 0..3 {
        assert_eq!(guest_via(&app, "9.9.9.9, 10.0.0.1").await, 201);
    }
    assert_eq!(guest_via(&app, "10.0.0.1").await, 429, "same client");
    assert_eq!(
        guest_via(&app, "10.0.0.1, 10.0.0.2").await,
        201,
        "another client"
    );
}

#[actix_web::test]
async fn a_body_trickled_slower_than_the_deadline_is_cut_off() {
    use std::io::{Read, Write};
    let app = crate::helpers::spawn_app_with(|s| s.body_timeout = 2).await;
    let port = app.port;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n\
                    Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
        tcp.write_all(head.as_bytes()).unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        // One byte a second, as long as the server listens (at most 12 s).
        while started.elapsed() < Duration::from_secs(12) {
            if tcp.write_all(b" ").is_err() {
                break;
            }
            let mut buf = [0u8; 4096];
            match tcp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            if !answer.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(900));
        }
        (
            started.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    })
    .await
    .unwrap();
    let (took, answer) = outcome;
    assert!(took < Duration::from_secs(6), "kept for {took:?}: {answer}");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"code\":\"bad_request\""), "{answer}");
}
