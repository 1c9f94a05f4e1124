//! `/api/v1/chats`: chats, membership, history and sends.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::chats::{
    AddMember, CreateChat, DeleteChat, GetChat, Join, Leave, MyChats, OpenDirect, PublicChats,
    RemoveMember,
};
use crate::actors::hub::OnlineCount;
use crate::domain::{ChatId, ChatName, Invalid, Permission};
use crate::protocol::Chat;

const MAX_MEMBERS: usize = 1000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::post().to(create))
        .route("/", web::post().to(create))
        .route("", web::get().to(mine))
        .route("/", web::get().to(mine))
        .route("/direct", web::post().to(direct))
        .route("/public", web::get().to(public))
        .route("/{id}", web::get().to(get))
        .route("/{id}", web::delete().to(delete))
        .route("/{id}/join", web::post().to(join))
        .route("/{id}/leave", web::post().to(leave))
        .route("/{id}/members", web::post().to(add_member))
        .route("/{id}/members/{username}", web::delete().to(remove_member))
        .configure(super::messages::routes);
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(
    create,
    direct,
    mine,
    public,
    get,
    delete,
    join,
    leave,
    add_member,
    remove_member
))]
pub(super) struct Api;

#[derive(Deserialize, ToSchema)]
#[schema(as = ChatCreateBody)]
struct CreateBody {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// Usernames.
    #[schema(max_items = 1000)]
    members: Vec<String>,
    #[serde(default)]
    public: bool,
}

#[utoipa::path(post, path = "/api/v1/chats", security(("bearer" = [])), request_body = CreateBody,
    responses((status = 201, body = Chat), (status = 403), (status = 422), (status = 429)))]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    let CreateBody {
        name,
        members,
        public,
    } = body.into_inner();
    let name = ChatName::parse(&name).map_err(|e| ApiError::validation(&[("name", e)]))?;
    if members.len() > MAX_MEMBERS {
        return Err(ApiError::validation(&[(
            "members",
            Invalid("at most 1000 members"),
        )]));
    }
    let user = caller.id().0.to_string();
    state
        .chat_creations
        .check(&user)
        .await
        .map_err(ApiError::rate_limited)?;
    if !members.is_empty() {
        state
            .member_adds
            .hit_many(&user, members.len() as u32)
            .await
            .map_err(ApiError::rate_limited)?;
    }
    state
        .chat_creations
        .hit(&user)
        .await
        .map_err(ApiError::rate_limited)?;
    let chat = state
        .svc
        .chats
        .send(CreateChat {
            caller: caller.id(),
            is_admin: caller.can(Permission::Admin),
            name,
            members,
            public,
        })
        .await??;
    Ok(HttpResponse::Created().json(chat))
}

#[derive(Deserialize, ToSchema)]
struct DirectBody {
    username: String,
}

#[utoipa::path(post, path = "/api/v1/chats/direct", security(("bearer" = [])), request_body = DirectBody,
    responses((status = 200, body = Chat), (status = 201, body = Chat), (status = 403),
        (status = 422)))]
async fn direct(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<DirectBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    let msg = OpenDirect {
        caller: caller.id(),
        is_admin: caller.can(Permission::Admin),
        username: body.into_inner().username,
    };
    let (chat, created) = state.svc.chats.send(msg).await??;
    let mut res = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(chat))
}

#[utoipa::path(get, path = "/api/v1/chats", security(("bearer" = [])), responses((status = 200, body = Vec<Chat>)))]
async fn mine(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
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
struct Page {
    /// Default 50, at most 200.
    #[param(minimum = 1)]
    limit: Option<i64>,
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/chats/public", security(("bearer" = [])), params(Page),
    responses((status = 200, body = Vec<Chat>), (status = 403), (status = 422)))]
async fn public(
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

#[utoipa::path(get, path = "/api/v1/chats/{id}", security(("bearer" = [])), params(("id" = ChatId, Path)),
    responses((status = 200, body = Chat), (status = 404)))]
async fn get(
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
async fn delete(
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

#[utoipa::path(post, path = "/api/v1/chats/{id}/join", security(("bearer" = [])), params(("id" = ChatId, Path)),
    responses((status = 200, body = Chat), (status = 403), (status = 404)))]
async fn join(
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
async fn leave(
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
struct MemberBody {
    username: String,
}

#[utoipa::path(post, path = "/api/v1/chats/{id}/members", security(("bearer" = [])), params(("id" = ChatId, Path)),
    request_body = MemberBody,
    responses((status = 200, body = Chat), (status = 403), (status = 404), (status = 422),
        (status = 429)))]
async fn add_member(
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
async fn remove_member(
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
