//! Who is asking: the client address and the origin the request was made
//! to. Headers a proxy sets (`X-Forwarded-*`, `Forwarded`) are believed only
//! with `--trust-proxy`; otherwise any client could send them.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::config::Settings;

/// The client's address: behind a trusted proxy the last `X-Forwarded-For`
/// entry (the one the proxy added; earlier ones come from the client), else
/// the peer of the connection.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> Option<IpAddr> {
    if settings.trust_proxy {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|last| last.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.peer_addr().map(|a| a.ip())
}

/// `scheme://host` this request was made to, for the Origin check when no
/// `--public-url` is set.
pub fn request_origin(req: &HttpRequest, settings: &Settings) -> String {
    if settings.trust_proxy {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    // The server speaks plain HTTP itself; TLS is a proxy's job.
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    format!("http://{host}")
}
