//! Typed configuration: every setting is a CLI flag with a `MICROCHAT_*`
//! environment twin, validated once at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "microchat",
    version,
    about = "A self-hostable realtime group chat server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, WebSocket and web UI (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administer accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// GET /healthz once and exit 0 if it answers 200, else 1 (for
    /// container health checks; the default URL is built from --bind).
    Healthcheck {
        /// http://HOST[:PORT][/PATH] to probe instead (the path defaults to /healthz).
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Change a user's role, e.g. `microchat user set-role alice admin`.
    SetRole { username: String, role: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtAlgorithm {
    #[value(name = "HS256")]
    Hs256,
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "EdDSA")]
    EdDsa,
}

/// Who may create an account (`--registration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Anyone who finds the server.
    Open,
    /// Only with an invite code.
    Invite,
    /// Nobody.
    Closed,
}

/// `on` or `off`, as the flags spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

/// Whom users may add to chats (`--add-policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AddPolicy {
    Anyone,
    /// Only people they already share a chat with or who accepted their invite.
    Shared,
}

/// A value that must never be printed (Debug shows `***`).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < 32 {
            return Err("must be at least 32 bytes".into());
        }
        Ok(Secret(s.to_owned()))
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// sqlite://PATH or postgres://USER@HOST/DB
    #[arg(
        long,
        env = "MICROCHAT_DATABASE_URL",
        default_value = "sqlite://microchat.db",
        global = true
    )]
    pub database_url: String,

    /// Address to listen on.
    #[arg(
        long,
        env = "MICROCHAT_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// The URL browsers use to reach the server (scheme://host[:port]); the
    /// Origin check compares against it. Default: taken from each request's Host.
    #[arg(long, env = "MICROCHAT_PUBLIC_URL", value_parser = parse_origin, global = true)]
    pub public_url: Option<String>,

    /// HS256 secret (≥ 32 bytes). Without one, a secret is generated and kept in the database.
    #[arg(
        long,
        env = "MICROCHAT_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<Secret>,

    /// Signing algorithm; RS256 and EdDSA need the two key files.
    #[arg(
        long,
        env = "MICROCHAT_JWT_ALGORITHM",
        value_enum,
        default_value = "HS256",
        global = true
    )]
    pub jwt_algorithm: JwtAlgorithm,

    /// PEM private key for RS256/EdDSA.
    #[arg(long, env = "MICROCHAT_JWT_PRIVATE_KEY_FILE", global = true)]
    pub jwt_private_key_file: Option<PathBuf>,

    /// PEM public key for RS256/EdDSA.
    #[arg(long, env = "MICROCHAT_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,

    /// Access token lifetime in seconds.
    #[arg(long, env = "MICROCHAT_ACCESS_TOKEN_TTL", default_value_t = 900,
          value_parser = clap::value_parser!(u32).range(5..=86_400), global = true)]
    pub access_token_ttl: u32,

    /// Refresh token lifetime in seconds.
    #[arg(long, env = "MICROCHAT_REFRESH_TOKEN_TTL", default_value_t = 30 * 86_400,
          value_parser = clap::value_parser!(u32).range(60..), global = true)]
    pub refresh_token_ttl: u32,

    /// Behind a reverse proxy: take the client address from the last
    /// `X-Forwarded-For` entry, and the scheme and host of the Origin check
    /// from `Forwarded` / `X-Forwarded-*`. Off: those headers are ignored.
    #[arg(long, env = "MICROCHAT_TRUST_PROXY", global = true)]
    pub trust_proxy: bool,

    /// Seconds after its use in which a refresh token presented again (a
    /// retried request, two tabs) yields a fresh token of its family instead
    /// of revoking it; at most 10.
    #[arg(long, env = "MICROCHAT_REFRESH_REUSE_GRACE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(0..=10), global = true, hide = true)]
    pub refresh_reuse_grace: u32,

    /// Development mode over plain HTTP: the refresh cookie is sent without `Secure`.
    #[arg(long, env = "MICROCHAT_INSECURE_DEV", global = true)]
    pub insecure_dev: bool,

    /// Register, login and guest requests allowed per client address per minute.
    #[arg(long, env = "MICROCHAT_AUTH_RATE_PER_MINUTE", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub auth_rate_per_minute: u32,

    /// Failed password checks (login, account deletion) allowed per account
    /// and client address within the window below.
    #[arg(long, env = "MICROCHAT_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub login_failures_per_account: u32,

    /// Failed password checks allowed per account from all addresses
    /// together within the window below.
    #[arg(long, env = "MICROCHAT_LOGIN_FAILURES_PER_ACCOUNT_TOTAL", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub login_failures_per_account_total: u32,

    /// Window, in seconds, for the failed-login limit.
    #[arg(long, env = "MICROCHAT_LOGIN_FAILURE_WINDOW", default_value_t = 900,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub login_failure_window: u32,

    /// Who may sign up: `open`, `invite` (with an invite code) or `closed`.
    #[arg(
        long,
        env = "MICROCHAT_REGISTRATION",
        value_enum,
        default_value = "open",
        global = true
    )]
    pub registration: Registration,

    /// Whether `POST /auth/guest` creates guest accounts.
    #[arg(
        long,
        env = "MICROCHAT_GUESTS",
        value_enum,
        default_value = "on",
        global = true
    )]
    pub guests: Switch,

    /// Let users (not only admins) create invites.
    #[arg(long, env = "MICROCHAT_INVITES_BY_USERS", global = true)]
    pub invites_by_users: bool,

    /// Whom users may add to chats: `anyone`, or only people they `shared`
    /// a chat with or who signed up with their invite.
    #[arg(
        long,
        env = "MICROCHAT_ADD_POLICY",
        value_enum,
        default_value = "anyone",
        global = true
    )]
    pub add_policy: AddPolicy,

    /// Lifetime of a password reset link, in seconds.
    #[arg(long, env = "MICROCHAT_RESET_LINK_TTL", default_value_t = 86_400,
          value_parser = clap::value_parser!(u32).range(60..=30 * 86_400), global = true)]
    pub reset_link_ttl: u32,

    /// redis://HOST:PORT — shared by several instances behind a load balancer
    /// for cross-instance fan-out and cache invalidation. Optional.
    #[arg(long, env = "MICROCHAT_REDIS_URL", global = true)]
    pub redis_url: Option<String>,

    /// Prefix of this deployment's Redis channel, so deployments can share a Redis.
    #[arg(
        long,
        env = "MICROCHAT_REDIS_NAMESPACE",
        default_value = "microchat",
        global = true
    )]
    pub redis_namespace: String,

    /// Chats one user may create per hour.
    #[arg(long, env = "MICROCHAT_CHATS_PER_HOUR", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub chats_per_hour: u32,

    /// Members one user may add to chats per hour (including those named
    /// when creating a chat).
    #[arg(long, env = "MICROCHAT_MEMBER_ADDS_PER_HOUR", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub member_adds_per_hour: u32,

    /// Presence (`presence` frames, `ready.online`) travels only through
    /// direct chats and chats of at most this many members; larger chats
    /// answer `presence_query`.
    #[arg(long, env = "MICROCHAT_PRESENCE_MAX_MEMBERS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(2..=100_000), global = true)]
    pub presence_max_members: u32,

    /// Frames of any type per second one WebSocket session may send.
    #[arg(long, env = "MICROCHAT_WS_FRAME_RATE", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_frame_rate: u32,

    /// Frames a session may burst above that rate; over it → `error` `rate_limited`.
    #[arg(long, env = "MICROCHAT_WS_FRAME_BURST", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_frame_burst: u32,

    /// Sustained sends per second per user (WebSocket `send` frames and REST sends together).
    #[arg(long, env = "MICROCHAT_WS_SEND_RATE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_send_rate: u32,

    /// Sends a user may burst above the sustained rate.
    #[arg(long, env = "MICROCHAT_WS_SEND_BURST", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_send_burst: u32,

    /// Frames queued for one WebSocket before a slow reader is disconnected (close 4008).
    #[arg(long, env = "MICROCHAT_WS_OUTBOUND_QUEUE", default_value_t = 2048,
          value_parser = clap::value_parser!(u32).range(16..), global = true)]
    pub ws_outbound_queue: u32,

    /// Bytes queued for one WebSocket (replies and deliveries together)
    /// before a slow reader is disconnected (close 4008).
    #[arg(long, env = "MICROCHAT_WS_OUTBOUND_BYTES", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u32).range(64 * 1024..), global = true)]
    pub ws_outbound_bytes: u32,

    /// WebSockets one user may have open at once; more: the upgrade gets 429.
    #[arg(long, env = "MICROCHAT_WS_SESSIONS_PER_USER", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_sessions_per_user: u32,

    /// WebSockets one client address may have open at once; more: the
    /// upgrade gets 429 (load generators raise it).
    #[arg(long, env = "MICROCHAT_WS_CONNECTIONS_PER_ADDRESS", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub ws_connections_per_address: u32,

    /// Require `Authorization: Bearer <token>` on `/metrics` (at least 32 bytes).
    #[arg(
        long,
        env = "MICROCHAT_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<Secret>,

    /// Seconds a client has to send a request body once its headers are in
    /// (uploads and the WebSocket excepted); slower: 400.
    #[arg(long, env = "MICROCHAT_BODY_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub body_timeout: u32,

    /// Database connections in the pool.
    #[arg(long, env = "MICROCHAT_DB_POOL_SIZE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(2..=200), global = true)]
    pub db_pool_size: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "MICROCHAT_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Directory for uploaded files (default: `files/` beside the SQLite
    /// database; `./files` with PostgreSQL). Unused when --s3-bucket is set.
    #[arg(long, env = "MICROCHAT_FILES_DIR", global = true)]
    pub files_dir: Option<PathBuf>,

    /// Store uploads in this S3 bucket instead of a directory; keys come from
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "MICROCHAT_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,

    /// S3-compatible endpoint, http(s)://host[:port] (default: AWS).
    #[arg(long, env = "MICROCHAT_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    /// S3 region.
    #[arg(
        long,
        env = "MICROCHAT_S3_REGION",
        default_value = "us-east-1",
        global = true
    )]
    pub s3_region: String,

    /// Largest file one upload may carry, in bytes.
    #[arg(long, env = "MICROCHAT_MAX_UPLOAD_BYTES", default_value_t = 25 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_upload_bytes: u64,

    /// Bytes of uploads each user may keep stored.
    #[arg(long, env = "MICROCHAT_UPLOAD_QUOTA_BYTES", default_value_t = 1024 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub upload_quota_bytes: u64,

    /// Seconds before an upload never attached to a message is deleted
    /// (tests shorten it).
    #[arg(long, env = "MICROCHAT_UPLOAD_ORPHAN_TTL", default_value_t = 24 * 3600,
          value_parser = clap::value_parser!(u32).range(1..), global = true, hide = true)]
    pub upload_orphan_ttl: u32,

    /// Seconds between sweeps of unreachable uploads (tests shorten it).
    #[arg(long, env = "MICROCHAT_UPLOAD_SWEEP_INTERVAL", default_value_t = 600,
          value_parser = clap::value_parser!(u32).range(1..), global = true, hide = true)]
    pub upload_sweep_interval: u32,
}

/// Where uploads are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStorage {
    Disk(PathBuf),
    S3 {
        endpoint: Option<String>,
        bucket: String,
        region: String,
    },
}

/// Accepts `scheme://host[:port]` with an optional trailing slash.
fn parse_origin(s: &str) -> Result<String, String> {
    let trimmed = s.trim_end_matches('/');
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err("must look like https://chat.example.com".into());
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
        return Err("must be http(s)://host[:port] with no path".into());
    }
    Ok(trimmed.to_ascii_lowercase())
}

impl Settings {
    /// Checks what flags alone cannot: combinations and the database URL.
    pub fn validate(&self) -> Result<(), String> {
        if crate::db::Backend::from_url(&self.database_url).is_none() {
            return Err("--database-url must start with sqlite:// or postgres://".into());
        }
        let asymmetric = self.jwt_algorithm != JwtAlgorithm::Hs256;
        let has_keys = self.jwt_private_key_file.is_some() && self.jwt_public_key_file.is_some();
        if asymmetric && !has_keys {
            return Err("--jwt-algorithm RS256/EdDSA needs --jwt-private-key-file and --jwt-public-key-file".into());
        }
        if asymmetric && self.jwt_secret.is_some() {
            return Err("--jwt-secret is only for HS256".into());
        }
        if self.s3_endpoint.is_some() && self.s3_bucket.is_none() {
            return Err("--s3-endpoint needs --s3-bucket".into());
        }
        if let Some(endpoint) = &self.s3_endpoint {
            if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
                return Err("--s3-endpoint must start with http:// or https://".into());
            }
        }
        Ok(())
    }

    /// The S3 bucket when one is configured, else the files directory:
    /// `--files-dir`, or `files/` beside the SQLite database, or `./files`.
    pub fn file_storage(&self) -> FileStorage {
        if let Some(bucket) = &self.s3_bucket {
            return FileStorage::S3 {
                endpoint: self.s3_endpoint.clone(),
                bucket: bucket.clone(),
                region: self.s3_region.clone(),
            };
        }
        if let Some(dir) = &self.files_dir {
            return FileStorage::Disk(dir.clone());
        }
        let sqlite = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"));
        let beside = sqlite
            .map(std::path::Path::new)
            .and_then(std::path::Path::parent)
            .map(|dir| dir.join("files"));
        FileStorage::Disk(beside.unwrap_or_else(|| PathBuf::from("files")))
    }

    /// Settings for tests and embedding: everything at its default.
    pub fn for_database(url: &str) -> Settings {
        let cli = Cli::parse_from(["microchat", "--database-url", url, "--bind", "127.0.0.1:0"]);
        cli.settings
    }
}

#[cfg(test)]
mod tests {
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
        let s =
            Cli::parse_from(["microchat", "--registration", "invite", "--guests", "off"]).settings;
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
}
