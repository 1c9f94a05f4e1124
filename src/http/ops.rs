//! Health, readiness and metrics.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::error::ApiError;
use super::state::AppState;
use crate::protocol::ErrorCode;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let database = state.svc.database_ready().await;
    let redis = state.svc.bus.ping().await;
    match (database, redis) {
        (Ok(()), Ok(())) => Ok(HttpResponse::Ok().json(json!({"status": "ready"}))),
        (database, redis) => {
            log::warn!("not ready: database {database:?}, redis {redis:?}");
            let unavailable = ApiError::new(ErrorCode::Internal, "database or redis unavailable");
            Err(unavailable.with_status(StatusCode::SERVICE_UNAVAILABLE))
        }
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.svc.metrics.render())
}
