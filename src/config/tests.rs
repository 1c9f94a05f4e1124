//! Defaults, ranges and derived settings, as the command line gives them.

use std::path::PathBuf;

use clap::Parser;

use super::values::parse_origin;
use super::*;

#[test]
fn origins_are_normalised_and_paths_refused() {
    assert_eq!(
        parse_origin("https://Chat.Example.com/").unwrap(),
        "https://chat.example.com"
    );
    assert!(parse_origin("chat.example.com").is_err());
    assert!(parse_origin("https://chat.example.com/app").is_err());
    assert!(parse_origin("ftp://x").is_err());
}

#[test]
fn zero_settings_give_the_documented_defaults() {
    let s = Cli::parse_from(["microchat"]).settings;
    assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(s.database_url, "sqlite://microchat.db");
    assert!(s.validate().is_ok());
}

#[test]
fn files_live_beside_the_sqlite_database_unless_told_otherwise() {
    let at = |args: &[&str]| {
        let mut all = vec!["microchat"];
        all.extend_from_slice(args);
        Cli::parse_from(all).settings.file_storage()
    };
    let disk = |p: &str| FileStorage::Disk(PathBuf::from(p));
    assert_eq!(at(&[]), disk("files"));
    assert_eq!(
        at(&["--database-url", "sqlite:///var/lib/mc/chat.db"]),
        disk("/var/lib/mc/files")
    );
    assert_eq!(at(&["--database-url", "postgres://pg/db"]), disk("files"));
    assert_eq!(at(&["--files-dir", "/srv/up"]), disk("/srv/up"));
    assert!(matches!(at(&["--s3-bucket", "b"]), FileStorage::S3 { .. }));
    let s = Cli::parse_from(["microchat", "--s3-endpoint", "http://x"]).settings;
    assert!(s.validate().is_err(), "an endpoint without a bucket");
}

#[test]
fn people_settings_default_to_an_open_server_and_refuse_unknown_values() {
    let s = Cli::parse_from(["microchat"]).settings;
    assert_eq!(s.registration, Registration::Open);
    assert_eq!(s.guests, Switch::On);
    assert_eq!(s.add_policy, AddPolicy::Anyone);
    assert!(!s.invites_by_users);
    assert_eq!(s.reset_link_ttl, 86_400);
    let s = Cli::parse_from(["microchat", "--registration", "invite", "--guests", "off"]).settings;
    assert_eq!(
        (s.registration, s.guests),
        (Registration::Invite, Switch::Off)
    );
    assert!(Cli::try_parse_from(["microchat", "--registration", "maybe"]).is_err());
    assert!(Cli::try_parse_from(["microchat", "--add-policy", "friends"]).is_err());
    assert!(Cli::try_parse_from(["microchat", "--reset-link-ttl", "5"]).is_err());
}

#[test]
fn presence_reaches_chats_of_a_bounded_size() {
    let s = Cli::parse_from(["microchat"]).settings;
    assert_eq!(s.presence_max_members, 100);
    let s = Cli::parse_from(["microchat", "--presence-max-members", "3"]).settings;
    assert_eq!(s.presence_max_members, 3);
    for bad in ["1", "0", "-5", "many", "100001"] {
        let args = ["microchat", "--presence-max-members", bad];
        assert!(Cli::try_parse_from(args).is_err(), "{bad}");
    }
}

#[test]
fn short_secrets_and_bad_urls_are_refused() {
    assert!(Cli::try_parse_from(["microchat", "--jwt-secret", "short"]).is_err());
    let s = Cli::parse_from(["microchat", "--database-url", "mysql://x"]).settings;
    assert!(s.validate().is_err());
}
