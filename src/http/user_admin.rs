//! Admin account control under `/api/v1/users/{id}`: disabling an account
//! and handing out a password reset link.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::refresh_cookie::public_origin;
use super::state::AppState;
use crate::actors::accounts::{CreateResetLink, SetDisabled};
use crate::domain::{Permission, UserId};
use crate::protocol::{ResetLinkJson, UserJson};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/disabled", web::put().to(set_disabled))
        .route("/{id}/reset-link", web::post().to(reset_link));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(set_disabled, reset_link))]
pub(super) struct Api;

#[derive(Deserialize, ToSchema)]
struct DisabledBody {
    disabled: bool,
}

#[utoipa::path(put, path = "/api/v1/users/{id}/disabled", security(("bearer" = [])), params(("id" = UserId, Path)),
    request_body = DisabledBody,
    responses((status = 200, body = UserJson), (status = 403), (status = 404)))]
async fn set_disabled(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
    body: web::Json<DisabledBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Admin)?;
    let id = id.into_inner();
    if id == caller.id() && body.disabled {
        // An admin locking itself out could leave the server with none.
        return Err(ApiError::forbidden("you cannot disable your own account"));
    }
    let user = state
        .svc
        .accounts
        .send(SetDisabled {
            id,
            disabled: body.disabled,
        })
        .await??
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(HttpResponse::Ok().json(UserJson::for_admin(&user)))
}

#[utoipa::path(post, path = "/api/v1/users/{id}/reset-link", security(("bearer" = [])), params(("id" = UserId, Path)),
    responses((status = 201, body = ResetLinkJson), (status = 403), (status = 404)))]
async fn reset_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Admin)?;
    let (token, expires_at) = state
        .svc
        .accounts
        .send(CreateResetLink {
            user_id: id.into_inner(),
        })
        .await??;
    let origin = public_origin(&req, &state.settings);
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(ResetLinkJson::new(&origin, &token, &expires_at)))
}
