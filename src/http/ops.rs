//! Health, readiness and metrics.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::OpenApi;

use super::error::ApiError;
use super::state::AppState;
use crate::protocol::ErrorCode;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(healthz, readyz, metrics))]
pub(super) struct Api;

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Object)))]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/readyz", responses((status = 200, body = Object), (status = 503)))]
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

#[utoipa::path(get, path = "/metrics", security((), ("metrics_token" = [])),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain",
        body = String), (status = 401)))]
async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(token) = &state.settings.metrics_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compared as digests: equal length, no early exit on the secret.
        if Sha256::digest(given.as_bytes()) != Sha256::digest(token.0.as_bytes()) {
            return Err(ApiError::unauthorized("a metrics token is required"));
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.svc.metrics.render()))
}
