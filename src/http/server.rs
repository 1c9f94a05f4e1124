//! The HTTP server: actix-server accepting, actix-http's HTTP/1 service
//! running the actix-web application, and an upgrade service for
//! WebSockets (see `upgrade`). actix-web's `HttpServer` builds the same
//! thing without the upgrade service; with it, an upgraded connection
//! leaves actix-http's dispatcher, and with it the dispatcher's 8 KiB read
//! and write buffers (16 of the 17 KiB an idle WebSocket cost).
//!
//! The settings are `HttpServer`'s defaults, which the server used before.

use std::net::TcpListener;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive};
use actix_service::{map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App};

use super::state::AppState;
use super::upgrade;

/// How long a client may take to send a request's head.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a closing connection may take to finish.
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a draining server waits for connections before it stops.
const SHUTDOWN_TIMEOUT_SECS: u64 = 10;

/// The application: every route and the per-request middleware.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .configure(super::extractor_config)
        .configure(super::routes)
        .default_service(web::to(super::not_found))
        .wrap(from_fn(super::middleware::request_context))
}

/// Serves on `listener` until stopped. Signals are not handled here (see
/// `startup::Application::run_until_stopped`, which drains sessions first).
pub fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    let addr = listener.local_addr()?;
    let mut builder = Server::build();
    let shutdown = builder.graceful_shutdown_signal();
    if let Some(workers) = workers {
        builder = builder.workers(workers);
    }
    let builder = builder
        .listen("microchat", listener, move || {
            let shutdown = shutdown.clone();
            let make_app = {
                let state = state.clone();
                move || app(state.clone()).into_factory()
            };
            let http_app = make_app().map_err(|e: actix_web::Error| e.error_response());
            HttpService::build()
                // Keep-alive connections close when a drain begins.
                .graceful_shutdown_signal(move || {
                    let shutdown = shutdown.clone();
                    async move { shutdown.notified().await }
                })
                .keep_alive(KeepAlive::default())
                .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
                .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
                .h1_allow_half_closed(true)
                // Chat frames are small and latency-bound: do not let Nagle hold them.
                .tcp_nodelay(true)
                .local_addr(addr)
                .upgrade(upgrade::factory(make_app))
                .finish(map_config(http_app, |_| AppConfig::default()))
                .tcp()
        })?
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS);
    Ok(builder.run())
}
