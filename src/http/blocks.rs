//! `/api/v1/users/me/blocks`: the people the caller blocked.

use actix_web::{web, HttpResponse};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::accounts::{Block, ListBlocks, Unblock};
use crate::domain::UserId;
use crate::protocol::UserJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/blocks", web::get().to(list))
        .route("/me/blocks/{user_id}", web::put().to(block))
        .route("/me/blocks/{user_id}", web::delete().to(unblock));
}

async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let users = state
        .svc
        .accounts
        .send(ListBlocks {
            blocker: caller.id(),
        })
        .await??;
    let body: Vec<_> = users.iter().map(|u| UserJson::new(u, false)).collect();
    Ok(HttpResponse::Ok().json(body))
}

async fn block(
    state: web::Data<AppState>,
    caller: Caller,
    user_id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    state
        .svc
        .accounts
        .send(Block {
            blocker: caller.id(),
            blocked: user_id.into_inner(),
        })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

async fn unblock(
    state: web::Data<AppState>,
    caller: Caller,
    user_id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    state
        .svc
        .accounts
        .send(Unblock {
            blocker: caller.id(),
            blocked: user_id.into_inner(),
        })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}
