//! The binary's administration subcommands, run as a child process.

use std::process::Command;

use crate::helpers::{spawn_app, PASSWORD};

fn microchat(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_microchat"))
        .args(args)
        .env("MICROCHAT_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("binary runs")
}

#[actix_web::test]
async fn set_role_makes_the_first_admin_and_refuses_bad_input() {
    let app = spawn_app().await;
    let acc = app.signup("yara").await;
    let url = &app.settings.database_url;

    let out = microchat(url, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = microchat(url, &["user", "set-role", "YARA", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        app.get("/api/v1/users/me", Some(&acc.token)).await.body["role"],
        "admin"
    );

    assert!(!microchat(url, &["user", "set-role", "yara", "emperor"])
        .status
        .success());
    assert!(!microchat(url, &["user", "set-role", "nobody", "admin"])
        .status
        .success());
    let _ = PASSWORD;
}

#[test]
fn a_bad_setting_stops_start_up_with_a_clear_message() {
    let out = microchat("mysql://nope", &["migrate"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("database-url"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_microchat"))
        .args(["--jwt-secret", "short"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("32 bytes"));
}

/// A taken port is a start-up error like any other: one clear line and exit
/// status 1, not a panic from actors dropped with the runtime.
#[test]
fn a_taken_port_stops_start_up_without_a_panic() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("microchat-bind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/bind.db", dir.display());
    let out = Command::new(env!("CARGO_BIN_EXE_microchat"))
        .args(["--bind", &addr])
        .env("MICROCHAT_DATABASE_URL", &db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot listen"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `microchat healthcheck …`, off the test's thread: the app under test
/// answers on the same runtime, so a blocking wait here would starve it.
async fn healthcheck(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_microchat"));
    cmd.arg("healthcheck").args(args).envs(env.iter().copied());
    actix_web::rt::task::spawn_blocking(move || cmd.output().expect("binary runs"))
        .await
        .unwrap()
}

#[actix_web::test]
async fn healthcheck_exits_0_while_the_server_answers_and_1_otherwise() {
    let app = spawn_app().await;
    let port = app.port.to_string();
    // As in the container: the server listens on a wildcard address.
    let bind = format!("0.0.0.0:{port}");
    let out = healthcheck(&[("MICROCHAT_BIND", &bind)], &[]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("{}/healthz", app.addr);
    assert!(healthcheck(&[], &["--url", &url]).await.status.success());

    // A path that is not 200, and a port nobody listens on: exit 1.
    let out = healthcheck(&[], &["--url", &format!("{}/nothing", app.addr)]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let out = healthcheck(&[("MICROCHAT_BIND", &dead)], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    // Even with settings `serve` would refuse, the answer is 0 or 1, never 2.
    let out = healthcheck(&[("MICROCHAT_DATABASE_URL", "mysql://x")], &["--url", &url]).await;
    assert_eq!(out.status.code(), Some(0));
}
