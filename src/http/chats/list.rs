//! `GET /api/v1/chats` and `GET /api/v1/chats/public`: the caller's chats
//! and a page of the public ones.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::actors::chats::{MyChats, PublicChats};
use crate::domain::{Invalid, Permission};
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::state::AppState;
use crate::protocol::Chat;

#[utoipa::path(get, path = "/api/v1/chats", security(("bearer" = [])), responses((status = 200, body = Vec<Chat>)))]
pub(super) async fn mine(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let chats = state
        .svc
        .chats
        .send(MyChats {
            caller: caller.id(),
        })
        .await??;
    Ok(HttpResponse::Ok().json(chats))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Page {
    /// Default 50, at most 200.
    #[param(minimum = 1)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/chats/public", security(("bearer" = [])), params(Page),
    responses((status = 200, body = Vec<Chat>), (status = 403), (status = 422)))]
pub(super) async fn public(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ReadPublic)?;
    let limit = page.limit.unwrap_or(50);
    let offset = page.offset.unwrap_or(0);
    if limit < 1 {
        return Err(ApiError::validation(&[(
            "limit",
            Invalid("must be at least 1"),
        )]));
    }
    if offset < 0 {
        return Err(ApiError::validation(&[(
            "offset",
            Invalid("must not be negative"),
        )]));
    }
    let msg = PublicChats {
        caller: caller.id(),
        limit: limit.min(200),
        offset,
    };
    Ok(HttpResponse::Ok().json(state.svc.chats.send(msg).await??))
}
