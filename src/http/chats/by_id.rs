//! `GET` and `DELETE /api/v1/chats/{id}`: one chat, with how many of its
//! members are online, and its deletion.

use actix_web::{web, HttpResponse};

use crate::actors::chats::{DeleteChat, GetChat};
use crate::actors::hub::OnlineCount;
use crate::domain::{ChatId, Permission};
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::state::AppState;
use crate::protocol::Chat;

#[utoipa::path(get, path = "/api/v1/chats/{id}", security(("bearer" = [])), params(("id" = ChatId, Path)),
    responses((status = 200, body = Chat), (status = 404)))]
pub(super) async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    let msg = GetChat {
        caller: caller.id(),
        can_read_public: caller.can(Permission::ReadPublic),
        is_admin: caller.can(Permission::Admin),
        chat_id: id.into_inner(),
    };
    let mut chat = state.svc.chats.send(msg).await??;
    let count = OnlineCount { chat_id: chat.id };
    chat.online_count = Some(state.svc.hub.send(count).await?);
    Ok(HttpResponse::Ok().json(chat))
}

#[utoipa::path(delete, path = "/api/v1/chats/{id}", security(("bearer" = [])), params(("id" = ChatId, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub(super) async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::ManageOwn)?;
    let msg = DeleteChat {
        caller: caller.id(),
        is_admin: caller.can(Permission::Admin),
        chat_id: id.into_inner(),
    };
    state.svc.chats.send(msg).await??;
    Ok(HttpResponse::NoContent().finish())
}
