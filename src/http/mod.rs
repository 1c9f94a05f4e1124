//! HTTP: routing, extractors and handlers. Handlers parse input into domain
//! types, ask an actor, and shape the answer; nothing here touches the database.

mod attempts;
mod auth;
mod blocks;
mod chats;
pub mod client;
mod deadline;
pub mod error;
pub mod extract;
mod files;
mod invites;
mod message_changes;
mod messages;
pub mod middleware;
mod openapi;
mod ops;
mod profile;
mod refresh_cookie;
mod search;
pub mod server;
pub mod state;
mod static_files;
mod upgrade;
mod uploads;
mod user_admin;
mod users;
pub mod ws;

use actix_web::web;

use error::ApiError;

/// The contract's body limit for every request.
pub const MAX_BODY: usize = 64 * 1024;

/// Extractor settings that keep actix's own errors in the contract's shape.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY)
            .error_handler(error::json_error),
    )
    .app_data(web::PayloadConfig::new(MAX_BODY))
    .app_data(web::QueryConfig::default().error_handler(error::query_error))
    .app_data(web::PathConfig::default().error_handler(error::path_error));
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(web::scope("/auth").configure(auth::routes))
            .service(
                web::scope("/users")
                    .configure(users::routes)
                    .configure(profile::routes)
                    .configure(blocks::routes)
                    .configure(user_admin::routes),
            )
            .service(web::scope("/avatars").configure(profile::avatar_routes))
            .service(web::scope("/invites").configure(invites::routes))
            .service(web::scope("/chats").configure(chats::routes))
            .service(web::scope("/search").configure(search::routes))
            .service(web::scope("/uploads").configure(uploads::routes))
            .service(web::scope("/files").configure(files::routes))
            .route("/ws", web::get().to(ws::upgrade))
            .route("/openapi.json", web::get().to(openapi::serve)),
    )
    .configure(ops::routes)
    .configure(static_files::routes);
}

pub async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("no such endpoint"))
}
