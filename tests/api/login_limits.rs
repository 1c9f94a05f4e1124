//! The failed-login limit holds: reserved before the password is checked
//! (no bypass by concurrency), one counter per account whatever it is
//! named by, counted per (account, client address) under a per-account
//! ceiling, also for the password check of `DELETE /users/me`.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{spawn_app_with, TestApp, PASSWORD};

/// `POST /login` from another loopback address (127.0.0.0/8 is all local).
async fn login_from(app: &TestApp, from: &str, login: &str, password: &str) -> u16 {
    let ip: IpAddr = from.parse().unwrap();
    let client = awc::Client::builder()
        .connector(awc::Connector::new().local_address(ip))
        .timeout(Duration::from_secs(30))
        .finish();
    let res = client
        .post(format!("{}/api/v1/auth/login", app.addr))
        .send_json(&json!({"login": login, "password": password}))
        .await
        .expect("request sent");
    res.status().as_u16()
}

#[actix_web::test]
async fn forty_parallel_wrong_logins_get_at_most_the_limit_of_password_checks() {
    let app = spawn_app_with(|s| s.login_failures_per_account = 10).await;
    app.register("hank", "hank@example.com", PASSWORD).await;
    let tries = (0..40).map(|_| app.login("hank", "bad password 1"));
    let statuses: Vec<u16> = join_all(tries).await.iter().map(|r| r.status).collect();
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    let limited = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(checked + limited, 40, "{statuses:?}");
    assert!(
        checked <= 10,
        "{checked} wrong passwords were checked: {statuses:?}"
    );
}

#[actix_web::test]
async fn username_and_email_count_against_one_account() {
    let app = spawn_app_with(|s| s.login_failures_per_account = 4).await;
    app.register("hank", "hank@example.com", PASSWORD).await;
    for login in ["hank", "HANK@example.com", "Hank", "hank@example.com"] {
        app.login(login, "bad password 1")
            .await
            .assert_error(401, "unauthorized");
    }
    app.login("hank", "bad password 1")
        .await
        .assert_error(429, "rate_limited");
}

#[actix_web::test]
async fn the_owner_signs_in_from_elsewhere_until_the_per_account_ceiling() {
    let app = spawn_app_with(|s| {
        s.login_failures_per_account = 3;
        s.login_failures_per_account_total = 5;
    })
    .await;
    app.register("hank", "hank@example.com", PASSWORD).await;
    for _ in 0..3 {
        assert_eq!(
            login_from(&app, "127.0.0.1", "hank", "bad password 1").await,
            401
        );
    }
    assert_eq!(
        login_from(&app, "127.0.0.1", "hank", PASSWORD).await,
        429,
        "locked here"
    );
    assert_eq!(
        login_from(&app, "127.0.0.2", "hank", PASSWORD).await,
        200,
        "not elsewhere"
    );
    for _ in 0..2 {
        assert_eq!(
            login_from(&app, "127.0.0.3", "hank", "bad password 1").await,
            401
        );
    }
    assert_eq!(
        login_from(&app, "127.0.0.4", "hank", PASSWORD).await,
        429,
        "5 failures from anywhere reach the ceiling"
    );
}

#[actix_web::test]
async fn wrong_passwords_on_delete_me_are_limited_too() {
    let app = spawn_app_with(|s| s.login_failures_per_account = 3).await;
    let ann = app.signup("ann").await;
    let delete = |password: &str| {
        app.call(
            Method::DELETE,
            "/api/v1/users/me",
            Some(&ann.token),
            &[],
            Some(json!({ "password": password })),
        )
    };
    for _ in 0..3 {
        delete("bad password 1")
            .await
            .assert_error(403, "forbidden");
    }
    delete(PASSWORD).await.assert_error(429, "rate_limited");
    assert_eq!(
        app.get("/api/v1/users/me", Some(&ann.token)).await.status,
        200
    );
}

#[actix_web::test]
async fn overlong_logins_are_refused_without_a_password_check() {
    let app = spawn_app_with(|s| s.login_failures_per_account = 1).await;
    let name = "x".repeat(60_000);
    let started = Instant::now();
    for _ in 0..20 {
        app.login(&name, "bad password 1")
            .await
            .assert_error(401, "unauthorized");
    }
    // 20 Argon2 checks would take far longer than 20 refusals.
    println!("20 overlong logins in {:?}", started.elapsed());
}

#[actix_web::test]
async fn password_hashing_does_not_hold_up_access_checks() {
    let app = spawn_app_with(|_| {}).await;
    let ann = app.signup("ann").await;
    app.register("hank", "hank@example.com", PASSWORD).await;
    let wrong = async {
        for _ in 0..3 {
            join_all((0..32).map(|_| app.login("hank", "bad password 1"))).await;
        }
    };
    let probe = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut worst = Duration::ZERO;
        for _ in 0..20 {
            let started = Instant::now();
            let res = app.get("/api/v1/users/me", Some(&ann.token)).await;
            assert_eq!(res.status, 200);
            worst = worst.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        worst
    };
    let ((), worst) = futures_util::join!(wrong, probe);
    println!("slowest GET /me while 96 wrong logins were checked: {worst:?}");
    // Behind the hashing (before it had threads of its own) it took > 1 s;
    // the margin is for a machine busy with other work.
    assert!(worst < Duration::from_millis(500), "GET /me took {worst:?}");
}
