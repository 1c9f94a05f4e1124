//! `PATCH /api/v1/users/me` (display name, avatar) and
//! `GET /api/v1/avatars/{id}`, where avatars are served.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Deserializer};
use utoipa::{OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::accounts::SetProfile;
use crate::domain::{DisplayName, Permission};
use crate::protocol::UserJson;
use crate::security::file_urls::Variant;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::patch().to(update_me));
}

pub fn avatar_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}", web::get().to(avatar))
        .route("/{id}", web::head().to(avatar));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(update_me, avatar))]
pub(super) struct Api;

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
struct ProfileBody {
    /// `null` clears it; absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(min_length = 1, max_length = 64)]
    display_name: Option<Option<String>>,
    /// An image upload of the caller; `null` clears the avatar.
    #[serde(default, deserialize_with = "present")]
    avatar_upload_id: Option<Option<i64>>,
}

#[utoipa::path(patch, path = "/api/v1/users/me", security(("bearer" = [])), request_body = ProfileBody,
    responses((status = 200, body = UserJson), (status = 422)))]
async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ProfileBody>,
) -> Result<HttpResponse, ApiError> {
    let ProfileBody {
        display_name,
        avatar_upload_id,
    } = body.into_inner();
    let display_name = match display_name {
        Some(Some(raw)) => Some(Some(
            DisplayName::parse(&raw).map_err(|e| ApiError::validation(&[("display_name", e)]))?,
        )),
        Some(None) => Some(None),
        None => None,
    };
    // The crop happens before the profile changes: a bad image leaves it as it was.
    let avatar_upload_id = match avatar_upload_id {
        Some(Some(upload)) => Some(Some(
            state.svc.files.make_avatar(caller.id(), upload).await?.id,
        )),
        Some(None) => Some(None),
        None => None,
    };
    let user = state
        .svc
        .accounts
        .send(SetProfile {
            id: caller.id(),
            display_name,
            avatar_upload_id,
        })
        .await??;
    Ok(HttpResponse::Ok().json(UserJson::seen_by(
        &user,
        caller.can(Permission::Admin),
        true,
    )))
}

/// Avatars are public (like a Slack profile picture): anyone who has a user
/// object may show its face. The id changes with every new avatar, so the
/// answer can be cached for good.
#[utoipa::path(get, path = "/api/v1/avatars/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "the image", content_type = "application/octet-stream",
        body = [u8]), (status = 206), (status = 304), (status = 404), (status = 416)))]
async fn avatar(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let row = state
        .svc
        .files
        .find_avatar(id.into_inner())
        .await?
        .ok_or_else(|| ApiError::not_found("no such avatar"))?;
    let cache = "public, max-age=31536000, immutable";
    super::files::respond(&state, &req, &row, Variant::File, cache).await
}
