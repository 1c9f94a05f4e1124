//! Membership: joining and leaving a chat, adding and removing members.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::actors::chats::{AddMember, Join, Leave, RemoveMember};
use crate::domain::{ChatId, Permission};
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::state::AppState;
use crate::protocol::Chat;

#[utoipa::path(post, path = "/api/v1/chats/{id}/join", security(("bearer" = [])), params(("id" = ChatId, Path)),
    responses((status = 200, body = Chat), (status = 403), (status = 404)))]
pub(super) async fn join(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    let chat = state
        .svc
        .chats
        .send(Join {
            caller: caller.id(),
            chat_id: id.into_inner(),
        })
        .await??;
    Ok(HttpResponse::Ok().json(chat))
}

#[utoipa::path(post, path = "/api/v1/chats/{id}/leave", security(("bearer" = [])), params(("id" = ChatId, Path)),
    responses((status = 204), (status = 404)))]
pub(super) async fn leave(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    let msg = Leave {
        caller: caller.id(),
        chat_id: id.into_inner(),
    };
    state.svc.chats.send(msg).await??;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
pub(super) struct MemberBody {
    username: String,
}

#[utoipa::path(post, path = "/api/v1/chats/{id}/members", security(("bearer" = [])), params(("id" = ChatId, Path)),
    request_body = MemberBody,
    responses((status = 200, body = Chat), (status = 403), (status = 404), (status = 422),
        (status = 429)))]
pub(super) async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
    body: web::Json<MemberBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ManageOwn)?;
    state
        .member_adds
        .hit(&caller.id().0.to_string())
        .await
        .map_err(ApiError::rate_limited)?;
    let msg = AddMember {
        caller: caller.id(),
        is_admin: caller.can(Permission::Admin),
        chat_id: id.into_inner(),
        username: body.into_inner().username,
    };
    Ok(HttpResponse::Ok().json(state.svc.chats.send(msg).await??))
}

#[utoipa::path(delete, path = "/api/v1/chats/{id}/members/{username}", security(("bearer" = [])),
    params(("id" = ChatId, Path), ("username" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(super) async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(ChatId, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ManageOwn)?;
    let (chat_id, username) = path.into_inner();
    let msg = RemoveMember {
        caller: caller.id(),
        is_admin: caller.can(Permission::Admin),
        chat_id,
        username,
    };
    state.svc.chats.send(msg).await??;
    Ok(HttpResponse::NoContent().finish())
}
