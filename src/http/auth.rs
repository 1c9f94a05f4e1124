//! `/api/v1/auth`: register, guest, login, refresh, logout.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::attempts::{account_key, reserve_attempt, MAX_LOGIN_CHARS};
use super::client::client_ip;
use super::error::ApiError;
use super::refresh_cookie;
use super::state::AppState;
use crate::actors::accounts::{
    Guest, Login, Logout, Refresh, Register, ResetPassword, ResolveLogin, TokenPair,
};
use crate::actors::ServiceError;
use crate::config::{Registration, Switch};
use crate::domain::{Email, Password, Username};
use crate::protocol::{reason, LoginJson, PolicyJson, UserJson};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::post().to(register))
        .route("/guest", web::post().to(guest))
        .route("/login", web::post().to(login))
        .route("/refresh", web::post().to(refresh))
        .route("/logout", web::post().to(logout))
        .route("/policy", web::get().to(policy))
        .route("/reset", web::post().to(reset));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(register, guest, login, refresh, logout, policy, reset))]
pub(super) struct Api;

#[derive(Deserialize, ToSchema)]
struct RegisterBody {
    #[schema(pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    username: String,
    #[schema(max_length = 254)]
    email: String,
    /// With at least one letter and one digit.
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    /// Needed with `--registration invite`.
    invite: Option<String>,
}

#[derive(Deserialize, ToSchema)]
struct LoginBody {
    /// A username or an email address.
    login: String,
    password: String,
}

fn client_key(state: &AppState, req: &HttpRequest) -> String {
    client_ip(req, &state.settings)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

async fn limit_client(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    state
        .auth_per_ip
        .hit(&client_key(state, req))
        .await
        .map_err(ApiError::rate_limited)
}

fn tokens_response(
    mut res: actix_web::HttpResponseBuilder,
    tokens: &TokenPair,
    state: &AppState,
) -> HttpResponse {
    res.cookie(refresh_cookie::issue(
        &tokens.refresh_token,
        &state.settings,
    ))
    .insert_header(("Cache-Control", "no-store"))
    .json(LoginJson::new(
        &tokens.access_token,
        tokens.expires_in,
        &tokens.user,
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/register", request_body = RegisterBody,
    responses((status = 201, body = UserJson), (status = 403), (status = 409), (status = 422),
        (status = 429)))]
async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    limit_client(&state, &req).await?;
    let invite = body
        .invite
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    match (state.settings.registration, invite) {
        (Registration::Closed, _) => {
            return Err(ServiceError::Refused(
                reason::REGISTRATION_CLOSED,
                "registration is closed",
            )
            .into())
        }
        (Registration::Invite, None) => {
            return Err(ServiceError::Refused(
                reason::INVITE_REQUIRED,
                "registration needs an invite code",
            )
            .into())
        }
        _ => {}
    }
    let invite = invite.map(str::to_owned);
    let (username, email, password) = (
        Username::parse(&body.username),
        Email::parse(&body.email),
        Password::parse(&body.password),
    );
    let (Ok(username), Ok(email), Ok(password)) = (&username, &email, &password) else {
        let fields: Vec<_> = [
            ("username", username.err()),
            ("email", email.err()),
            ("password", password.err()),
        ]
        .into_iter()
        .filter_map(|(f, e)| e.map(|e| (f, e)))
        .collect();
        return Err(ApiError::validation(&fields));
    };
    let user = state
        .svc
        .passwords
        .send(Register {
            username: username.clone(),
            email: email.clone(),
            password: password.clone(),
            invite,
        })
        .await?;
    Ok(HttpResponse::Created().json(UserJson::new(&user, true)))
}

#[utoipa::path(post, path = "/api/v1/auth/guest",
    responses((status = 201, body = LoginJson), (status = 403), (status = 429)))]
async fn guest(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    limit_client(&state, &req).await?;
    if state.settings.guests == Switch::Off {
        return Err(
            ServiceError::Refused(reason::GUESTS_DISABLED, "guest accounts are off").into(),
        );
    }
    let tokens = state.svc.accounts.send(Guest).await??;
    Ok(tokens_response(HttpResponse::Created(), &tokens, &state))
}

#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginBody,
    responses((status = 200, body = LoginJson), (status = 401), (status = 403), (status = 429)))]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    limit_client(&state, &req).await?;
    let LoginBody { login, password } = body.into_inner();
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(ServiceError::InvalidCredentials.into());
    }
    let user_id = state
        .svc
        .accounts
        .send(ResolveLogin {
            login: login.clone(),
        })
        .await??;
    let attempt = reserve_attempt(&state, account_key(user_id, &login), &req).await?;
    match state.svc.passwords.send(Login { user_id, password }).await {
        Ok(tokens) => Ok(tokens_response(HttpResponse::Ok(), &tokens, &state)),
        Err(ServiceError::InvalidCredentials) => {
            // Only failures stay counted: a user's own logins are free.
            attempt.failed();
            Err(ServiceError::InvalidCredentials.into())
        }
        Err(other) => Err(other.into()),
    }
}

fn require_same_origin(state: &AppState, req: &HttpRequest) -> Result<(), ApiError> {
    if refresh_cookie::same_origin(req, &state.settings) {
        Ok(())
    } else {
        Err(ApiError::forbidden("cross-site request refused"))
    }
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", security(("refresh_cookie" = [])),
    responses((status = 200, body = LoginJson), (status = 401), (status = 403)))]
async fn refresh(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    require_same_origin(&state, &req)?;
    let token =
        refresh_cookie::read(&req).ok_or_else(|| ApiError::unauthorized("no refresh token"))?;
    let tokens = state.svc.accounts.send(Refresh { token }).await??;
    Ok(tokens_response(HttpResponse::Ok(), &tokens, &state))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", security((), ("refresh_cookie" = [])),
    responses((status = 204), (status = 403)))]
async fn logout(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    require_same_origin(&state, &req)?;
    if let Some(token) = refresh_cookie::read(&req) {
        state.svc.accounts.send(Logout { token }).await??;
    }
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie::clear(&state.settings))
        .finish())
}

/// Which sign-up screen a client should show; needs no token.
#[utoipa::path(get, path = "/api/v1/auth/policy", responses((status = 200, body = PolicyJson)))]
async fn policy(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(PolicyJson {
        registration: state.settings.registration,
        guests: state.settings.guests,
    })
}

#[derive(Deserialize, ToSchema)]
struct ResetBody {
    token: String,
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

/// Spends a reset link an admin handed over; rate limited like sign-in,
/// since it is one more way to guess at an account.
#[utoipa::path(post, path = "/api/v1/auth/reset", request_body = ResetBody,
    responses((status = 204), (status = 403), (status = 422), (status = 429)))]
async fn reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ResetBody>,
) -> Result<HttpResponse, ApiError> {
    limit_client(&state, &req).await?;
    let ResetBody {
        token,
        new_password,
    } = body.into_inner();
    let new =
        Password::parse(&new_password).map_err(|e| ApiError::validation(&[("new_password", e)]))?;
    state
        .svc
        .passwords
        .send(ResetPassword { token, new })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
