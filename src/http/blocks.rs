//! `/api/v1/users/me/blocks`: the people the caller blocked.

use actix_web::{web, HttpResponse};
use utoipa::OpenApi;

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::accounts::{Block, ListBlocks, Unblock};
use crate::domain::UserId;
use crate::protocol::UserJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/blocks", web::get().to(list))
        .route("/me/blocks/{user_id}", web::put().to(block))
        .route("/me/blocks/{user_id}", web::delete().to(unblock));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(list, block, unblock))]
pub(super) struct Api;

#[utoipa::path(get, path = "/api/v1/users/me/blocks", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserJson>)))]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let users = state
        .svc
        .accounts
        .send(ListBlocks {
            blocker: caller.id(),
        })
        .await??;
    let body: Vec<_> = users.iter().map(|u| UserJson::new(u, false)).collect();
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(put, path = "/api/v1/users/me/blocks/{user_id}", security(("bearer" = [])),
    params(("user_id" = UserId, Path)), responses((status = 204), (status = 404), (status = 422)))]
async fn block(
    state: web::Data<AppState>,
    caller: Caller,
    user_id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    state
        .svc
        .accounts
        .send(Block {
            blocker: caller.id(),
            blocked: user_id.into_inner(),
        })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/v1/users/me/blocks/{user_id}", security(("bearer" = [])),
    params(("user_id" = UserId, Path)), responses((status = 204), (status = 404)))]
async fn unblock(
    state: web::Data<AppState>,
    caller: Caller,
    user_id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    state
        .svc
        .accounts
        .send(Unblock {
            blocker: caller.id(),
            blocked: user_id.into_inner(),
        })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}
