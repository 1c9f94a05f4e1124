//! `/api/v1/chats/{id}/messages/{mid}`: edit, delete and reactions. Each
//! goes through the chat's room (`Rooms::change`), so it is ordered with the
//! chat's sends and every attached session hears of it as `message_updated`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::change::ChangeResult;
use crate::domain::{Change, ChangeRequest, ChatId, Emoji, MessageBody, MessageId, Permission};
use crate::protocol::Message;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/messages/{mid}", web::patch().to(edit))
        .route("/{id}/messages/{mid}", web::delete().to(delete))
        .route(
            "/{id}/messages/{mid}/reactions/{emoji}",
            web::put().to(react),
        )
        .route(
            "/{id}/messages/{mid}/reactions/{emoji}",
            web::delete().to(unreact),
        );
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(edit, delete, react, unreact))]
pub(super) struct Api;

async fn change(
    state: &AppState,
    caller: &Caller,
    (chat_id, message_id): (ChatId, MessageId),
    change: Change,
) -> ChangeResult {
    let request = ChangeRequest {
        chat_id,
        message_id,
        actor: caller.id(),
        actor_is_admin: caller.can(Permission::Admin),
        change,
    };
    state.svc.rooms.change(request).await
}

#[derive(Deserialize, ToSchema)]
struct EditBody {
    #[schema(min_length = 1, max_length = 4000)]
    body: String,
}

#[utoipa::path(patch, path = "/api/v1/chats/{id}/messages/{mid}", security(("bearer" = [])), params(("id" = ChatId, Path), ("mid" = MessageId, Path)),
    request_body = EditBody,
    responses((status = 200, body = Message), (status = 403), (status = 404), (status = 422)))]
async fn edit(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId)>,
    body: web::Json<EditBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    let body = MessageBody::parse(&body.body).map_err(|e| ApiError::validation(&[("body", e)]))?;
    let edit = Change::Edit {
        body: body.into_string(),
    };
    let (message, _) = change(&state, &caller, path.into_inner(), edit).await?;
    Ok(HttpResponse::Ok().json(message))
}

#[utoipa::path(delete, path = "/api/v1/chats/{id}/messages/{mid}", security(("bearer" = [])), params(("id" = ChatId, Path), ("mid" = MessageId, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    change(&state, &caller, path.into_inner(), Change::Delete).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn react_as(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId, String)>,
    add: bool,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    let (chat_id, message_id, emoji) = path.into_inner();
    let emoji = Emoji::parse(&emoji).map_err(|e| ApiError::validation(&[("emoji", e)]))?;
    let react = Change::React {
        emoji: emoji.as_str().to_owned(),
        add,
    };
    change(&state, &caller, (chat_id, message_id), react).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(put, path = "/api/v1/chats/{id}/messages/{mid}/reactions/{emoji}", security(("bearer" = [])),
    params(("id" = ChatId, Path), ("mid" = MessageId, Path), ("emoji" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 422)))]
async fn react(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId, String)>,
) -> Result<HttpResponse, ApiError> {
    react_as(state, caller, path, true).await
}

#[utoipa::path(delete, path = "/api/v1/chats/{id}/messages/{mid}/reactions/{emoji}", security(("bearer" = [])),
    params(("id" = ChatId, Path), ("mid" = MessageId, Path), ("emoji" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 422)))]
async fn unreact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ChatId, MessageId, String)>,
) -> Result<HttpResponse, ApiError> {
    react_as(state, caller, path, false).await
}
