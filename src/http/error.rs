//! The one place where failures become the contract's error bodies.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Map, Value};

use crate::actors::ServiceError;
use crate::domain::Invalid;

/// An error answer: status, contract code, human message and optional details.
/// `internal` is logged with the request id and never sent.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    pub retry_after: Option<u64>,
    pub internal: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            internal: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn payload_too_large() -> ApiError {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "body over 64 KiB",
        )
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests, slow down",
        );
        e.retry_after = Some(retry_after.max(1));
        e
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        );
        e.internal = Some(detail.into());
        e
    }

    /// `422 validation_failed` with `details.fields` mapping field → reason.
    pub fn validation(fields: &[(&str, Invalid)]) -> ApiError {
        let map: Map<String, Value> = fields
            .iter()
            .map(|(field, Invalid(reason))| (field.to_string(), Value::from(*reason)))
            .collect();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "some fields are invalid",
        )
        .with_details(json!({ "fields": map }))
    }

    /// A default message for a status that reached the client without one of ours.
    pub fn from_status(status: StatusCode) -> ApiError {
        match status.as_u16() {
            400 | 405 | 411 | 415 => Self::bad_request("malformed request"),
            401 => Self::unauthorized("authentication required"),
            403 => Self::forbidden("forbidden"),
            404 => Self::not_found("not found"),
            413 => Self::payload_too_large(),
            429 => Self::rate_limited(1),
            _ if status.is_client_error() => Self::bad_request("malformed request"),
            _ => Self::internal(format!("unhandled status {status}")),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({"code": self.code, "message": self.message});
        if let Some(details) = &self.details {
            body["details"] = details.clone();
        }
        let mut res = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.json(json!({ "error": body }))
    }
}

/// HTTP status for each contract code; the codes themselves come from
/// [`ServiceError::code`], shared with WebSocket `error` frames.
fn status_of(code: &str) -> StatusCode {
    match code {
        "bad_request" => StatusCode::BAD_REQUEST,
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" => StatusCode::CONFLICT,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "validation_failed" | "unknown_users" => StatusCode::UNPROCESSABLE_ENTITY,
        "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let code = e.code();
        let base = ApiError::new(status_of(code), code, e.public_message());
        match e {
            ServiceError::Conflict(field) => base.with_details(json!({ "field": field })),
            ServiceError::Invalid(field, reason) => {
                ApiError::validation(&[(field, Invalid(reason))])
            }
            ServiceError::UnknownUsers(names) => base.with_details(json!({ "usernames": names })),
            ServiceError::RateLimited(secs) => ApiError::rate_limited(secs),
            ServiceError::QuotaExceeded => base.with_details(json!({ "reason": "quota" })),
            ServiceError::Db(db) => ApiError::internal(format!("database: {db}")),
            ServiceError::Internal(detail) => ApiError::internal(detail),
            _ => base,
        }
    }
}

impl From<actix::MailboxError> for ApiError {
    fn from(e: actix::MailboxError) -> ApiError {
        ApiError::internal(format!("actor mailbox: {e}"))
    }
}

/// Maps actix's JSON extractor failures to the contract (413 or 400).
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::Overflow { .. } | E::OverflowKnownLength { .. } => ApiError::payload_too_large(),
        E::Payload(actix_web::error::PayloadError::Overflow) => ApiError::payload_too_large(),
        E::ContentType => ApiError::bad_request("expected Content-Type: application/json"),
        other => ApiError::bad_request(format!("invalid JSON body: {other}")),
    }
    .into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::bad_request(format!("invalid query string: {err}")).into()
}

pub fn path_error(
    err: actix_web::error::PathError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::bad_request(format!("invalid path parameter: {err}")).into()
}
