//! `POST /api/v1/chats` and `POST /api/v1/chats/direct`: a new group
//! chat, or the direct chat with someone (made on first use).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::actors::chats::{CreateChat, OpenDirect};
use crate::domain::{ChatName, Invalid, Permission};
use crate::http::error::ApiError;
use crate::http::extract::Caller;
use crate::http::state::AppState;
use crate::protocol::Chat;

const MAX_MEMBERS: usize = 1000;

#[derive(Deserialize, ToSchema)]
#[schema(as = ChatCreateBody)]
pub(super) struct CreateBody {
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
pub(super) async fn create(
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
pub(super) struct DirectBody {
    username: String,
}

#[utoipa::path(post, path = "/api/v1/chats/direct", security(("bearer" = [])), request_body = DirectBody,
    responses((status = 200, body = Chat), (status = 201, body = Chat), (status = 403),
        (status = 422)))]
pub(super) async fn direct(
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
