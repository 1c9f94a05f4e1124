//! `/api/v1/search`: message search.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::chats::SearchMessages;
use crate::domain::{ChatId, Invalid, MessageId, Permission, SearchQuery};
use crate::protocol::SearchHit;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/messages", web::get().to(messages));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(messages))]
pub(super) struct Api;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// The last word matches as a prefix.
    #[param(min_length = 1, max_length = 200)]
    q: Option<String>,
    /// Only this chat (also a public one the caller is not in).
    chat_id: Option<ChatId>,
    /// Only messages with a smaller id.
    before: Option<MessageId>,
    /// Default 20, at most 100.
    #[param(minimum = 1)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/search/messages", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, body = Vec<SearchHit>), (status = 404), (status = 422)))]
async fn messages(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let query = SearchQuery::parse(params.q.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::validation(&[("q", e)]))?;
    let limit = params.limit.unwrap_or(20);
    if limit < 1 {
        return Err(ApiError::validation(&[(
            "limit",
            Invalid("must be at least 1"),
        )]));
    }
    let msg = SearchMessages {
        caller: caller.id(),
        can_read_public: caller.can(Permission::ReadPublic),
        query,
        chat_id: params.chat_id,
        before: params.before,
        limit: limit.min(100),
    };
    Ok(HttpResponse::Ok().json(state.svc.chats.send(msg).await??))
}
