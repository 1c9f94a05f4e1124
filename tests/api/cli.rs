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
