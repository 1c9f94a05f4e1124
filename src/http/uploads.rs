//! `POST /api/v1/uploads`: one multipart part `file` (and, for voice, an
//! optional `duration_ms`), streamed to storage as it arrives.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use utoipa::{OpenApi, ToSchema};

use super::error::ApiError;
use super::extract::Caller;
use super::state::AppState;
use crate::actors::uploads::IngestError;
use crate::actors::ServiceError;
use crate::domain::{DurationMs, FileName, Permission};
use crate::protocol::Upload;

/// Room in the body for multipart boundaries, part headers and a
/// `duration_ms` part on top of the file itself.
pub const MULTIPART_SLACK: u64 = 64 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::post().to(create))
        .route("/", web::post().to(create));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(create))]
pub(super) struct Api;

/// The multipart form `create` streams part by part; only its schema is
/// used (the parts are never collected into it).
#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// For voice messages.
    duration_ms: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/uploads", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Upload), (status = 403), (status = 422), (status = 429)))]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::Write)?;
    let files = &state.svc.files;
    let max = files.limits.max_bytes;
    let too_large = || ApiError::from(ServiceError::TooLarge(format!("file over {max} bytes")));
    // Refused from the headers alone: the body is never read.
    if content_length(&req).is_some_and(|n| n > max.saturating_add(MULTIPART_SLACK)) {
        return Err(too_large());
    }
    let used = files.used_bytes(caller.id()).await?;
    let remaining = files.limits.quota.saturating_sub(used);
    if remaining == 0 {
        return Err(ServiceError::QuotaExceeded.into());
    }

    let tripped = Rc::new(Cell::new(false));
    let body = Capped {
        inner: payload,
        left: max.saturating_add(MULTIPART_SLACK),
        tripped: tripped.clone(),
    };
    let mut form = Multipart::new(req.headers(), body);
    let body_error = |e: &dyn std::fmt::Display| {
        if tripped.get() {
            too_large()
        } else {
            ApiError::bad_request(format!("invalid multipart body: {e}"))
        }
    };
    let (mut stored, mut duration) = (None, None);
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|e| body_error(&e))?;
        match part.name() {
            Some("file") if stored.is_some() => {
                return Err(ApiError::bad_request("only one part named file"));
            }
            Some("file") => {
                let name =
                    FileName::parse(part.content_disposition().and_then(|d| d.get_filename()));
                let file = files
                    .ingest(&mut part, remaining)
                    .await
                    .map_err(|e| match e {
                        IngestError::Body(msg) => body_error(&msg),
                        other => ingest_error(other),
                    })?;
                stored = Some((name, file));
            }
            Some("duration_ms") => {
                let text = read_small(&mut part).await.map_err(|e| body_error(&e))?;
                let parsed = DurationMs::parse(&text)
                    .map_err(|reason| ApiError::validation(&[("duration_ms", reason)]))?;
                duration = Some(parsed);
            }
            // Other parts are read past (they count against the body limit).
            _ => {
                while let Some(chunk) = part.next().await {
                    chunk.map_err(|e| body_error(&e))?;
                }
            }
        }
    }
    let (name, file) = stored.ok_or_else(|| ApiError::bad_request("missing part: file"))?;
    let row = files.record(caller.id(), name, file, duration).await?;
    Ok(HttpResponse::Created().json(Upload::from(&row)))
}

fn ingest_error(e: IngestError) -> ApiError {
    match e {
        IngestError::TooLarge(max) => ServiceError::TooLarge(format!("file over {max} bytes")),
        IngestError::Quota => ServiceError::QuotaExceeded,
        IngestError::Image(reason) => ServiceError::Invalid("file", image_reason(reason)),
        IngestError::Body(msg) => ServiceError::Internal(msg),
        IngestError::Storage(e) => ServiceError::Internal(e.to_string()),
        IngestError::Internal(msg) => ServiceError::Internal(msg),
    }
    .into()
}

fn image_reason(e: crate::media::MediaError) -> &'static str {
    match e {
        crate::media::MediaError::TooLarge => "image too large to process",
        crate::media::MediaError::Invalid => "not a valid image",
    }
}

fn content_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// A text part of at most a few bytes.
async fn read_small(part: &mut actix_multipart::Field) -> Result<String, String> {
    let mut buf = Vec::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        buf.extend_from_slice(&chunk);
        if buf.len() > 64 {
            return Ok("too long".into());
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The request body, cut off with an error once more than `left` bytes
/// arrive — also when `Content-Length` was absent or lied.
struct Capped<S> {
    inner: S,
    left: u64,
    tripped: Rc<Cell<bool>>,
}

impl<S> Stream for Capped<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.tripped.get() {
            return Poll::Ready(Some(Err(PayloadError::Overflow)));
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let n = chunk.len() as u64;
                if n > self.left {
                    self.tripped.set(true);
                    return Poll::Ready(Some(Err(PayloadError::Overflow)));
                }
                self.left -= n;
                Poll::Ready(Some(Ok(chunk)))
            }
            other => other,
        }
    }
}
