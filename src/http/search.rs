//! `/api/v1/search`: message search.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::chats::SearchMessages;
use crate::domain::{ChatId, Invalid, MessageId, Permission, SearchQuery};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/messages", web::get().to(messages));
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    chat_id: Option<ChatId>,
    before: Option<MessageId>,
    limit: Option<i64>,
}

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
