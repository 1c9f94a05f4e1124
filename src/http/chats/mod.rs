//! `/api/v1/chats`: chats, membership, history and sends.
//!
//! Creating chats (group and direct) is in `create`, listing them in
//! `list`, one chat by id in `by_id`, joining, leaving and members in
//! `membership`; history and sends are in `http::messages`.

mod by_id;
mod create;
mod list;
mod membership;

use actix_web::web;
use utoipa::OpenApi;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::post().to(create::create))
        .route("/", web::post().to(create::create))
        .route("", web::get().to(list::mine))
        .route("/", web::get().to(list::mine))
        .route("/direct", web::post().to(create::direct))
        .route("/public", web::get().to(list::public))
        .route("/{id}", web::get().to(by_id::get))
        .route("/{id}", web::delete().to(by_id::delete))
        .route("/{id}/join", web::post().to(membership::join))
        .route("/{id}/leave", web::post().to(membership::leave))
        .route("/{id}/members", web::post().to(membership::add_member))
        .route(
            "/{id}/members/{username}",
            web::delete().to(membership::remove_member),
        )
        .configure(super::messages::routes);
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(
    create::create,
    create::direct,
    list::mine,
    list::public,
    by_id::get,
    by_id::delete,
    membership::join,
    membership::leave,
    membership::add_member,
    membership::remove_member
))]
pub(super) struct Api;
