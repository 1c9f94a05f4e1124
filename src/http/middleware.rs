//! Per-request plumbing: request id, one structured log line, metrics, and a
//! last line of defence that gives every error response the contract's shape.

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};

use super::error::ApiError;
use super::state::AppState;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, also in its log line.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The path as logged: an invite code in it (`DELETE /invites/{code}`)
/// is a secret that lets strangers sign up, so it is masked.
fn loggable_path(path: &str) -> String {
    const INVITES: &str = "/api/v1/invites/";
    match path.strip_prefix(INVITES) {
        Some(rest) if !rest.is_empty() => format!("{INVITES}***"),
        _ => path.to_owned(),
    }
}

pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let rid = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(RequestId(rid.clone()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if let Some(state) = &state {
        let limit = Duration::from_secs(state.settings.body_timeout.into());
        super::deadline::apply(&mut req, limit);
    }
    // Only the path: query strings may carry `access_token`. The method
    // from a fixed set, so a client cannot mint log fields or metric series.
    let (method, path) = (method_label(req.method()), loggable_path(req.path()));
    let https = state
        .as_ref()
        .and_then(|s| s.settings.public_url.as_deref())
        .is_some_and(|url| url.starts_with("https://"));

    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let internal = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .and_then(|e| e.internal.clone());
    let mut res = if (status.is_client_error() || status.is_server_error()) && !is_json {
        let replacement = ApiError::from_status(status).error_response();
        res.into_response(replacement)
    } else {
        res
    };
    let headers = res.headers_mut();
    headers.insert(
        REQUEST_ID.clone(),
        HeaderValue::from_str(&rid).expect("hex id is a valid header"),
    );
    protect(headers, https);

    let elapsed = started.elapsed();
    if let Some(detail) = internal {
        log::error!("rid={rid} internal error: {detail}");
    }
    log::info!(
        target: "microchat::request",
        "rid={rid} method={method} path={path} status={} ms={:.1}",
        res.status().as_u16(),
        elapsed.as_secs_f64() * 1000.0
    );
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        state
            .svc
            .metrics
            .observe_request(method, &route, res.status().as_u16(), elapsed);
    }
    Ok(res)
}

/// The request method as a label: the standard ones, else `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 7] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ];
    KNOWN
        .iter()
        .find(|m| *m == method)
        .map_or("OTHER", Method::as_str)
}

/// Headers every response gets: no MIME sniffing, no referrer beyond this
/// site, and HSTS when the public URL is https (then every browser visit
/// is, and must stay, https).
fn protect(headers: &mut HeaderMap, https: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invite_codes_never_reach_the_log() {
        assert_eq!(
            loggable_path("/api/v1/invites/abc123"),
            "/api/v1/invites/***"
        );
        assert_eq!(loggable_path("/api/v1/invites"), "/api/v1/invites");
        assert_eq!(loggable_path("/api/v1/chats/1"), "/api/v1/chats/1");
    }
}
