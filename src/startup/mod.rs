//! Builds the application: storage, keys, actors and the HTTP server, bound
//! to its listener so tests can start it on port 0 and read the port back.
//!
//! The actors are started in `services`, the signing keys and other
//! secrets loaded in `secrets`, the database prepared in `database`, the
//! listener opened in `listener`.

mod database;
mod listener;
mod secrets;
mod services;

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::web;

use crate::actors::bus;
use crate::actors::history::Flush;
use crate::actors::hub::Shutdown;
use crate::actors::Services;
use crate::config::Settings;
use crate::db::{self, DbError};
use crate::http::{self, state::AppState};
use crate::limits::Limits;
use crate::security::access::PermissionTable;
use crate::security::file_urls::FileUrls;
use crate::security::jwt::KeyError;
use crate::storage::{self, Storage};

pub use database::prepare_database;

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
        let listener = listener::listen(settings.bind)?;
        let pool = prepare_database(&settings)?;
        let mut conn = pool.get()?;
        let keys = Arc::new(secrets::load(&settings, &mut conn)?);
        let permissions = PermissionTable::from_rows(&db::permissions::list(&mut conn)?);
        let file_urls = Arc::new(FileUrls::new(
            secrets::generated_key(&mut conn, "file_url_key")?.as_bytes(),
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
        let svc = Arc::new(services::start(
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

fn open_storage(settings: &Settings) -> Result<Storage, StartupError> {
    storage::open(&settings.file_storage()).map_err(|e| StartupError::Config(e.to_string()))
}
