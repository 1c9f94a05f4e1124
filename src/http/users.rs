//! `/api/v1/users`: me, delete me, search, and admin delete / role change.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::attempts::{account_key, reserve_attempt};
use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::accounts::{ChangePassword, Confirm, DeleteUser, GetUser, SearchUsers, SetRole};
use crate::actors::ServiceError;
use crate::domain::{Invalid, Password, Permission, Role, UserId};
use crate::protocol::UserJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(me))
        .route("/me", web::delete().to(delete_me))
        .route("/me/password", web::put().to(change_password))
        .route("", web::get().to(search))
        .route("/", web::get().to(search))
        .route("/{id}", web::delete().to(delete_user))
        .route("/{id}/role", web::put().to(set_role));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(me, delete_me, change_password, search, delete_user, set_role))]
pub(super) struct Api;

#[utoipa::path(get, path = "/api/v1/users/me", security(("bearer" = [])),
    responses((status = 200, body = UserJson)))]
async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let user = state
        .svc
        .accounts
        .send(GetUser { id: caller.id() })
        .await??
        .ok_or_else(|| ApiError::unauthorized("account no longer exists"))?;
    Ok(HttpResponse::Ok().json(UserJson::seen_by(
        &user,
        caller.can(Permission::Admin),
        true,
    )))
}

#[derive(Deserialize, ToSchema)]
struct PasswordBody {
    current_password: String,
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

/// Keeps the caller's own login (the family its token came from) and ends
/// every other one.
#[utoipa::path(put, path = "/api/v1/users/me/password", security(("bearer" = [])),
    request_body = PasswordBody,
    responses((status = 204), (status = 403), (status = 422), (status = 429)))]
async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let PasswordBody {
        current_password,
        new_password,
    } = body.into_inner();
    let new =
        Password::parse(&new_password).map_err(|e| ApiError::validation(&[("new_password", e)]))?;
    state
        .svc
        .passwords
        .send(ChangePassword {
            user_id: caller.id(),
            current: current_password,
            new,
            keep_family: caller.family.clone(),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
struct DeleteMeBody {
    password: Option<String>,
}

/// The body is optional (guests send none), so it is parsed by hand: an
/// empty body means "no password", a malformed one is still a 400.
#[utoipa::path(delete, path = "/api/v1/users/me", security(("bearer" = [])),
    request_body(content = Option<DeleteMeBody>, description = "guests send none"),
    responses((status = 204), (status = 403), (status = 429)))]
async fn delete_me(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let password = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<DeleteMeBody>(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
            .password
    };
    let Some(given) = password else {
        // Guests have no password; anyone else is told one is required.
        let confirm = Some(Confirm { password: None });
        let delete = DeleteUser {
            id: caller.id(),
            confirm,
        };
        state.svc.accounts.send(delete).await??;
        return Ok(HttpResponse::NoContent().finish());
    };
    // A wrong password here is a guess like a failed login: same limit.
    let attempt = reserve_attempt(&state, account_key(Some(caller.id()), ""), &req).await?;
    let delete = DeleteUser {
        id: caller.id(),
        confirm: Some(Confirm {
            password: Some(given),
        }),
    };
    match state.svc.passwords.send(delete).await {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(e @ ServiceError::Forbidden(_)) => {
            attempt.failed();
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// A username prefix.
    q: Option<String>,
    /// Default 20, at most 100.
    #[param(minimum = 1)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/users", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = Vec<UserJson>), (status = 403), (status = 422)))]
async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::SearchUsers)?;
    let limit = query.limit.unwrap_or(20);
    if limit < 1 {
        return Err(ApiError::validation(&[(
            "limit",
            Invalid("must be at least 1"),
        )]));
    }
    let prefix = query.q.clone().unwrap_or_default().trim().to_owned();
    let users = state
        .svc
        .accounts
        .send(SearchUsers {
            prefix,
            limit: limit.min(100),
        })
        .await??;
    let admin = caller.can(Permission::Admin);
    let body: Vec<_> = users
        .iter()
        .map(|u| UserJson::seen_by(u, admin, u.id == caller.id()))
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", security(("bearer" = [])),
    params(("id" = UserId, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Admin)?;
    state
        .svc
        .accounts
        .send(DeleteUser {
            id: id.into_inner(),
            confirm: None,
        })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
struct RoleBody {
    role: Role,
}

#[utoipa::path(put, path = "/api/v1/users/{id}/role", security(("bearer" = [])),
    params(("id" = UserId, Path)), request_body = RoleBody,
    responses((status = 200, body = UserJson), (status = 403), (status = 404), (status = 409)))]
async fn set_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
    body: web::Json<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Admin)?;
    let user = state
        .svc
        .accounts
        .send(SetRole {
            id: id.into_inner(),
            role: body.role,
        })
        .await??
        .ok_or_else(|| ApiError::not_found("no such user"))?;
    Ok(HttpResponse::Ok().json(UserJson::for_admin(&user)))
}
