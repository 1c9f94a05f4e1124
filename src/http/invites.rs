//! `/api/v1/invites`: invite codes for `--registration invite` (and for
//! `--add-policy shared`). Admins make and see all of them; users too, their
//! own, when `--invites-by-users` is set.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::refresh_cookie::public_origin;
use super::state::AppState;
use crate::actors::accounts::{CreateInvite, DeleteInvite, ListInvites};
use crate::domain::{parse_expires_in, parse_max_uses, Permission, Role};
use crate::protocol::InviteJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::post().to(create))
        .route("", web::get().to(list))
        .route("/{code}", web::delete().to(delete));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(create, list, delete))]
pub(super) struct Api;

/// `None`: the caller sees every invite (admins); `Some(id)`: only its own.
/// Guests never deal with invites.
fn scope(caller: &Caller) -> Result<Option<crate::domain::UserId>, ApiError> {
    if caller.can(Permission::Admin) {
        return Ok(None);
    }
    if caller.role() == Role::Guest || !caller.can(Permission::Write) {
        return Err(ApiError::forbidden("your role does not allow this"));
    }
    Ok(Some(caller.id()))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = InviteCreateBody)]
struct CreateBody {
    #[schema(minimum = 1, maximum = 10000)]
    max_uses: Option<i64>,
    /// Seconds (default 7 days).
    #[schema(minimum = 60, maximum = 31536000)]
    expires_in: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/invites", security(("bearer" = [])), request_body = CreateBody,
    responses((status = 201, body = InviteJson), (status = 403), (status = 422)))]
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    if scope(&caller)?.is_some() && !state.settings.invites_by_users {
        return Err(ApiError::forbidden("only admins may create invites"));
    }
    let (max_uses, expires_in) = (
        parse_max_uses(body.max_uses),
        parse_expires_in(body.expires_in),
    );
    let (Ok(max_uses), Ok(expires_in)) = (&max_uses, &expires_in) else {
        let fields: Vec<_> = [
            ("max_uses", max_uses.err()),
            ("expires_in", expires_in.err()),
        ]
        .into_iter()
        .filter_map(|(f, e)| e.map(|e| (f, e)))
        .collect();
        return Err(ApiError::validation(&fields));
    };
    let invite = state
        .svc
        .accounts
        .send(CreateInvite {
            by: caller.id(),
            max_uses: *max_uses,
            expires_in: *expires_in,
        })
        .await??;
    let origin = public_origin(&req, &state.settings);
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(InviteJson::new(&invite, &origin)))
}

#[utoipa::path(get, path = "/api/v1/invites", security(("bearer" = [])),
    responses((status = 200, body = Vec<InviteJson>), (status = 403)))]
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let creator = scope(&caller)?;
    let invites = state.svc.accounts.send(ListInvites { creator }).await??;
    let origin = public_origin(&req, &state.settings);
    let body: Vec<_> = invites
        .iter()
        .map(|i| InviteJson::new(i, &origin))
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

#[utoipa::path(delete, path = "/api/v1/invites/{code}", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let creator = scope(&caller)?;
    state
        .svc
        .accounts
        .send(DeleteInvite {
            code: code.into_inner(),
            creator,
        })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}
