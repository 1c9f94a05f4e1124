//! `/api/v1/chats/{id}/messages` and `/read`: history, sends, read markers.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::chats::{History, MarkRead, Page};
use crate::actors::post::Draft;
use crate::domain::{AttachmentIds, ChatId, ClientId, Invalid, MessageBody, MessageId, Permission};
use crate::protocol::{Message, Sender};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/messages", web::get().to(history))
        .route("/{id}/messages", web::post().to(send))
        .route("/{id}/read", web::post().to(read))
        .configure(super::message_changes::routes);
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(history, send, read))]
pub(super) struct Api;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HistoryQuery {
    /// The newest messages with a smaller id.
    before: Option<MessageId>,
    /// Messages centred on this one (it included); wins over `before`.
    around: Option<MessageId>,
    /// Default 50; above 100 is clamped to 100.
    #[param(minimum = 1)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/chats/{id}/messages", security(("bearer" = [])),
    params(("id" = ChatId, Path), HistoryQuery),
    responses((status = 200, body = Vec<Message>), (status = 404), (status = 422)))]
async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if limit < 1 {
        return Err(ApiError::validation(&[(
            "limit",
            Invalid("must be at least 1"),
        )]));
    }
    let msg = History {
        caller: caller.id(),
        can_read_public: caller.can(Permission::ReadPublic),
        chat_id: id.into_inner(),
        // `around` wins over `before`: it names one place exactly.
        page: match query.around {
            Some(id) => Page::Around(id),
            None => Page::Before(query.before),
        },
        limit: limit.min(100),
    };
    Ok(HttpResponse::Ok().json(state.svc.chats.send(msg).await??))
}

#[derive(Deserialize, ToSchema)]
struct SendBody {
    /// Empty only with attachments.
    #[schema(max_length = 4000)]
    body: String,
    /// Makes the send idempotent per sender.
    #[schema(max_length = 64)]
    client_id: Option<String>,
    /// Upload ids of the sender.
    #[schema(max_items = 10)]
    attachments: Option<Vec<i64>>,
    reply_to: Option<MessageId>,
}

/// Sends through the chat's room like a WebSocket send, and answers once
/// the message is committed: 201 when new, 200 for an idempotent retry.
#[utoipa::path(post, path = "/api/v1/chats/{id}/messages", security(("bearer" = [])), params(("id" = ChatId, Path)),
    request_body = SendBody,
    responses((status = 201, body = Message), (status = 200, body = Message, description = "a retry"),
        (status = 403), (status = 404), (status = 422), (status = 429)))]
async fn send(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
    body: web::Json<SendBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    // The same budget as WebSocket sends: more clients, no more sends.
    state
        .svc
        .sends
        .spend(caller.id())
        .map_err(ApiError::rate_limited)?;
    let chat_id = id.into_inner();
    let SendBody {
        body,
        client_id,
        attachments,
        reply_to,
    } = body.into_inner();
    let attachments = AttachmentIds::parse(attachments.as_deref())
        .map_err(|e| ApiError::validation(&[("attachments", e)]))?;
    let body = MessageBody::parse_with(&body, !attachments.is_empty())
        .map_err(|e| ApiError::validation(&[("body", e)]))?;
    let client_id = client_id
        .map(|c| ClientId::parse(&c).map_err(|e| ApiError::validation(&[("client_id", e)])))
        .transpose()?;
    let draft = Draft {
        sender: Sender {
            id: caller.id(),
            username: caller.access.username.clone(),
        },
        body,
        client_id,
        attachments,
        reply_to,
    };
    let (message, fresh) = state.svc.rooms.post(chat_id, draft).await?;
    let mut res = if fresh {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(res.json(message))
}

#[derive(Deserialize, ToSchema)]
struct ReadBody {
    message_id: MessageId,
}

#[utoipa::path(post, path = "/api/v1/chats/{id}/read", security(("bearer" = [])), params(("id" = ChatId, Path)), request_body = ReadBody,
    responses((status = 204), (status = 404), (status = 422)))]
async fn read(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ChatId>,
    body: web::Json<ReadBody>,
) -> Result<HttpResponse, ApiError> {
    let msg = MarkRead {
        caller: caller.id(),
        chat_id: id.into_inner(),
        message_id: body.message_id,
    };
    state.svc.chats.send(msg).await??;
    Ok(HttpResponse::NoContent().finish())
}
