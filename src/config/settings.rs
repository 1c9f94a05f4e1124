//! [`Settings`]: every flag and its environment twin, with its default and range.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::values::{parse_origin, AddPolicy, JwtAlgorithm, Registration, Secret, Switch};

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
