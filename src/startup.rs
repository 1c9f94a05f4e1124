//! Builds the application: storage, keys, actors and the HTTP server, bound
//! to its listener so tests can start it on port 0 and read the port back.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, SyncArbiter};
use actix_web::dev::Server;
use actix_web::web;

use crate::actors::accounts::{AccountsActor, Lifetimes};
use crate::actors::announce::Announcer;
use crate::actors::block_book::BlockBook;
use crate::actors::bus::{self, Appliers, Bus, Subscription};
use crate::actors::caps::{Counter, WsCaps};
use crate::actors::chats::ChatStore;
use crate::actors::history::{Flush, HistoryWriter};
use crate::actors::hub::{Hub, Shutdown};
use crate::actors::lookups::Lookups;
use crate::actors::rooms::Rooms;
use crate::actors::scopes::Scopes;
use crate::actors::send_budget::SendBudgets;
use crate::actors::services::Passwords;
use crate::actors::uploads::{Files, SweepSignal};
use crate::actors::{Services, WsLimits};
use crate::config::{JwtAlgorithm, Settings};
use crate::db::{self, DbError, DbPool};
use crate::http::{self, state::AppState};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::security::access::{AccessCache, PermissionTable};
use crate::security::file_urls::FileUrls;
use crate::security::jwt::{JwtKeys, KeyError};
use crate::storage::{self, Storage};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Password checks waiting or running at once; more are answered 429.
const HASHING_QUEUE: usize = 64;

/// How long a cached access check may be trusted without an invalidation.
const ACCESS_CACHE_TTL: Duration = Duration::from_secs(30);

pub struct Application {
    port: u16,
    server: Server,
    svc: Arc<Services>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        settings.validate().map_err(StartupError::Config)?;
        // Before any actor starts: actors started and never polled panic in
        // their first poll when the runtime drops them after a failed bind.
        let listener = listen(settings.bind)?;
        let pool = prepare_database(&settings)?;
        let mut conn = pool.get()?;
        let keys = Arc::new(load_keys(&settings, &mut conn)?);
        let permissions = PermissionTable::from_rows(&db::permissions::list(&mut conn)?);
        let file_urls = Arc::new(FileUrls::new(
            generated_key(&mut conn, "file_url_key")?.as_bytes(),
            settings.public_url.as_deref(),
        ));
        drop(conn);
        let storage = open_storage(&settings)?;
        log::info!("uploads stored on {}", storage.kind());

        let bus = match &settings.redis_url {
            Some(url) => Some(
                bus::connect(url, &settings.redis_namespace)
                    .await
                    .map_err(StartupError::Config)?,
            ),
            None => None,
        };
        let files = (storage, file_urls);
        let svc = Arc::new(start_services(
            &settings,
            pool,
            keys,
            permissions,
            bus,
            files,
        ));
        // Shared through Redis when there is one, so instances behind a
        // load balancer do not multiply the limits.
        let limits = match svc.bus.pool() {
            Some(pool) => Limits::shared(pool, &settings.redis_namespace),
            None => Limits::local(),
        };
        let state = web::Data::new(AppState {
            svc: svc.clone(),
            auth_per_ip: limits.window(
                "auth",
                settings.auth_rate_per_minute,
                Duration::from_secs(60),
            ),
            login_failures: limits.window(
                "login-failures",
                settings.login_failures_per_account,
                Duration::from_secs(settings.login_failure_window.into()),
            ),
            chat_creations: limits.window(
                "chat-creations",
                settings.chats_per_hour,
                Duration::from_secs(3600),
            ),
            member_adds: limits.window(
                "member-adds",
                settings.member_adds_per_hour,
                Duration::from_secs(3600),
            ),
            login_failures_total: limits.window(
                "login-failures-total",
                settings.login_failures_per_account_total,
                Duration::from_secs(settings.login_failure_window.into()),
            ),
            settings: Arc::new(settings.clone()),
        });

        let port = listener.local_addr()?.port();
        let server = http::server::run(listener, state, settings.workers)?;
        log::info!("listening on http://{}:{port}", settings.bind.ip());
        Ok(Application { port, server, svc })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server stops; on SIGINT/SIGTERM it drains first (see [`drain`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let svc = self.svc.clone();
        actix_web::rt::spawn(async move {
            wait_for_signal().await;
            log::info!("shutting down: draining sessions");
            drain(&handle, &svc).await;
            handle.stop(true).await;
        });
        self.server.await
    }
}

/// Stop accepting, commit what is pending (its acks go out), then close
/// every session with 1001.
pub async fn drain(handle: &actix_web::dev::ServerHandle, svc: &Services) {
    handle.pause().await;
    let _ = svc.writer.send(Flush).await;
    // Acks travel writer → room → session; give them a moment to be queued
    // ahead of the close frame.
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let closed = svc.hub.send(Shutdown).await.unwrap_or(0);
    log::info!("closed {closed} sessions");
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// Starts the actors: the hub and the history writer on this (the system)
/// arbiter, the accounts actor and chat store on their own thread pools. Rooms
/// start on demand on whichever worker first needs them.
fn start_services(
    settings: &Settings,
    pool: DbPool,
    keys: Arc<JwtKeys>,
    permissions: PermissionTable,
    redis: Option<(Bus, Subscription)>,
    (storage, file_urls): (Storage, Arc<FileUrls>),
) -> Services {
    let metrics = Arc::new(Metrics::new());
    let access = Arc::new(AccessCache::new(permissions, ACCESS_CACHE_TTL));
    let (bus, subscription) = match redis {
        Some((bus, subscription)) => (bus, Some(subscription)),
        None => (Bus::default(), None),
    };
    let book = Arc::new(BlockBook::default());
    let scopes = Arc::new(Scopes::new(settings.presence_max_members));
    let hub = Hub::new(bus.clone(), metrics.clone(), book.clone(), scopes.clone()).start();
    let sweep = SweepSignal::default();
    let writer = HistoryWriter::new(
        pool.clone(),
        metrics.clone(),
        file_urls.clone(),
        sweep.clone(),
    )
    .start();
    let rooms = Rooms::new(writer.clone(), bus.clone(), book.clone());
    if let Some(subscription) = subscription {
        subscription.start(Appliers {
            rooms: rooms.clone(),
            hub: hub.clone(),
            access: access.clone(),
            book: book.clone(),
            metrics: metrics.clone(),
            pool: pool.clone(),
            urls: file_urls.clone(),
        });
    }
    let announce = Announcer::new(hub.clone(), rooms.clone(), sweep.clone(), scopes);
    let start_accounts = |threads: usize| {
        let (pool, keys, access, announce, bus, book) = (
            pool.clone(),
            keys.clone(),
            access.clone(),
            announce.clone(),
            bus.clone(),
            book.clone(),
        );
        let lifetimes = Lifetimes {
            refresh_token_secs: settings.refresh_token_ttl,
            reuse_grace_secs: settings.refresh_reuse_grace,
            reset_link_secs: settings.reset_link_ttl,
        };
        SyncArbiter::start(threads, move || {
            AccountsActor::new(
                pool.clone(),
                keys.clone(),
                access.clone(),
                announce.clone(),
                bus.clone(),
                book.clone(),
                lifetimes,
            )
        })
    };
    let accounts = start_accounts(accounts_threads());
    // Argon2 work has threads of its own, so access checks never wait behind it.
    let passwords = start_accounts(hashing_threads());
    let chats = {
        let (pool, rooms, urls) = (pool.clone(), rooms.clone(), file_urls.clone());
        let add_policy = settings.add_policy;
        SyncArbiter::start(STORE_THREADS, move || {
            ChatStore::new(
                pool.clone(),
                announce.clone(),
                rooms.clone(),
                urls.clone(),
                add_policy,
            )
        })
    };
    let files = Files::start(settings, pool.clone(), storage, file_urls, sweep);
    Services {
        lookups: Lookups::new(accounts.clone(), chats.clone()),
        accounts,
        chats,
        hub,
        rooms,
        bus,
        writer,
        access,
        keys,
        metrics,
        ws: WsLimits {
            send_rate: settings.ws_send_rate,
            send_burst: settings.ws_send_burst,
            outbound_queue: settings.ws_outbound_queue as usize,
            outbound_bytes: settings.ws_outbound_bytes as usize,
            frame_rate: settings.ws_frame_rate,
            frame_burst: settings.ws_frame_burst,
            presence_max_members: settings.presence_max_members,
        },
        sends: SendBudgets::new(settings.ws_send_rate, settings.ws_send_burst),
        passwords: Passwords::new(passwords, HASHING_QUEUE),
        ws_caps: WsCaps {
            users: Counter::new(settings.ws_sessions_per_user as usize),
            addresses: Counter::new(settings.ws_connections_per_address as usize),
        },
        files,
        pool,
    }
}

fn open_storage(settings: &Settings) -> Result<Storage, StartupError> {
    storage::open(&settings.file_storage()).map_err(|e| StartupError::Config(e.to_string()))
}

/// Threads serving chat reads and membership changes.
const STORE_THREADS: usize = 4;

/// Argon2 is CPU-bound: one thread per core, at least two so a slow hash
/// never stalls a token check entirely.
/// Half the cores for password hashing: the rest keep serving while a
/// flood of logins is being checked.
fn hashing_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get() / 2)
        .max(1)
}

fn accounts_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}

/// Connects and applies pending migrations.
pub fn prepare_database(settings: &Settings) -> Result<DbPool, StartupError> {
    let pool = db::connect(&settings.database_url, settings.db_pool_size)?;
    let mut conn = pool.get()?;
    let applied = db::migrate(&mut conn)?;
    if applied > 0 {
        log::info!("applied {applied} database migrations");
    }
    Ok(pool)
}

fn load_keys(settings: &Settings, conn: &mut db::DbConn) -> Result<JwtKeys, StartupError> {
    let ttl = i64::from(settings.access_token_ttl);
    let read = |path: &std::path::PathBuf| {
        std::fs::read(path).map_err(|e| KeyError::Read(path.display().to_string(), e))
    };
    let (alg, private, public) = match settings.jwt_algorithm {
        JwtAlgorithm::Hs256 => {
            let secret = match &settings.jwt_secret {
                Some(secret) => secret.0.clone(),
                None => generated_secret(conn)?,
            };
            return Ok(JwtKeys::hmac(secret.as_bytes(), ttl));
        }
        JwtAlgorithm::Rs256 => (
            jsonwebtoken::Algorithm::RS256,
            &settings.jwt_private_key_file,
            &settings.jwt_public_key_file,
        ),
        JwtAlgorithm::EdDsa => (
            jsonwebtoken::Algorithm::EdDSA,
            &settings.jwt_private_key_file,
            &settings.jwt_public_key_file,
        ),
    };
    let missing = || StartupError::Config("key files missing".into());
    let private = read(private.as_ref().ok_or_else(missing)?)?;
    let public = read(public.as_ref().ok_or_else(missing)?)?;
    Ok(JwtKeys::asymmetric(alg, &private, &public, ttl)?)
}

/// A secret kept in the database, so tokens survive restarts without setup.
fn generated_secret(conn: &mut db::DbConn) -> Result<String, StartupError> {
    let (secret, created) = generated(conn, "jwt_secret")?;
    if created {
        log::info!("no --jwt-secret given: generated one and stored it in the database");
    }
    Ok(secret)
}

/// A random key kept in the database under `name`, shared by every instance.
fn generated_key(conn: &mut db::DbConn, name: &str) -> Result<String, StartupError> {
    Ok(generated(conn, name)?.0)
}

fn generated(conn: &mut db::DbConn, name: &str) -> Result<(String, bool), StartupError> {
    let candidate = crate::security::hex(&crate::security::random_bytes::<32>());
    Ok(db::settings::get_or_insert(conn, name, &candidate)?)
}

/// How many connections may wait to be accepted. std's `TcpListener::bind`
/// fixes this at 128, so a reconnect storm (a restart, a network blip) overflows
/// it and the dropped clients wait a full second to retry their SYN.
const BACKLOG: i32 = 4096;

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // As std does: a restarted server can bind while old connections linger.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}
