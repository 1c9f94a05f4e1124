//! The one place where failures become the contract's error bodies.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Map, Value};

use crate::actors::ServiceError;
use crate::domain::Invalid;
use crate::protocol::{ErrorCode, ErrorJson};

/// An error answer: contract code (and its status), human message and
/// optional details. `internal` is logged with the request id and never sent.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
    pub retry_after: Option<u64>,
    pub internal: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status: code.status(),
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

    /// The same body with another status (readiness answers 503 `internal`).
    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status = status;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::new(ErrorCode::BadRequest, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn payload_too_large() -> ApiError {
        Self::new(ErrorCode::PayloadTooLarge, "body over 64 KiB")
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        let mut e = Self::new(ErrorCode::RateLimited, "too many requests, slow down");
        e.retry_after = Some(retry_after.max(1));
        e
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        let mut e = Self::new(ErrorCode::Internal, "internal error");
        e.internal = Some(detail.into());
        e
    }

    /// `422 validation_failed` with `details.fields` mapping field → reason.
    pub fn validation(fields: &[(&str, Invalid)]) -> ApiError {
        let map: Map<String, Value> = fields
            .iter()
            .map(|(field, Invalid(reason))| (field.to_string(), Value::from(*reason)))
            .collect();
        Self::new(ErrorCode::ValidationFailed, "some fields are invalid")
            .with_details(json!({ "fields": map }))
    }

    /// A default message for a status that reached the client without one of ours.
    pub fn from_status(status: StatusCode) -> ApiError {
        match status.as_u16() {
            400 | 405 | 411 | 415 => Self::bad_request("malformed request"),
            401 => Self::unauthorized("authentication required"),
            403 => Self::forbidden("access denied"),
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
        let mut res = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.json(ErrorJson::new(
            self.code,
            &self.message,
            self.details.as_ref(),
        ))
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let base = ApiError::new(e.code(), e.public_message());
        match e {
            ServiceError::Conflict(field) => base.with_details(json!({ "field": field })),
            ServiceError::Invalid(field, reason) => {
                ApiError::validation(&[(field, Invalid(reason))])
            }
            ServiceError::UnknownUsers(names) => base.with_details(json!({ "usernames": names })),
            ServiceError::RateLimited(secs) => ApiError::rate_limited(secs),
            ServiceError::QuotaExceeded => base.with_details(json!({ "reason": "quota" })),
            ServiceError::Refused(reason, _) => base.with_details(json!({ "reason": reason })),
            // Unreachable rather than broken: 503, so load balancers and
            // clients retry instead of giving up.
            ServiceError::Db(db) if db.unavailable() => {
                let mut e = ApiError::internal(format!("database unavailable: {db}"))
                    .with_status(StatusCode::SERVICE_UNAVAILABLE);
                e.message = "temporarily unavailable, retry shortly".into();
                e.retry_after = Some(1);
                e
            }
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
