//! The refresh cookie and the Origin check that guards the endpoints reading it.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::header;
use actix_web::HttpRequest;

use crate::config::Settings;

pub const NAME: &str = "refresh_token";
const PATH: &str = "/api/v1/auth";

pub fn issue(token: &str, settings: &Settings) -> Cookie<'static> {
    Cookie::build(NAME, token.to_owned())
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(PATH)
        .secure(!settings.insecure_dev)
        .max_age(time::Duration::seconds(settings.refresh_token_ttl.into()))
        .finish()
}

/// An expired, empty cookie with the same attributes, so browsers drop it.
pub fn clear(settings: &Settings) -> Cookie<'static> {
    let mut cookie = issue("", settings);
    cookie.make_removal();
    cookie
}

pub fn read(req: &HttpRequest) -> Option<String> {
    req.cookie(NAME)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// `scheme://host[:port]` lower-cased, with the scheme's default port dropped.
fn normalise(origin: &str) -> String {
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    for (scheme, port) in [("http://", ":80"), ("https://", ":443")] {
        if origin.starts_with(scheme) && origin.ends_with(port) {
            return origin[..origin.len() - port.len()].to_owned();
        }
    }
    origin
}

/// True when the request has no `Origin` (a non-browser client) or one naming
/// this server: `--public-url`, else the scheme and `Host` of the request.
pub fn same_origin(req: &HttpRequest, settings: &Settings) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    normalise(origin) == normalise(&public_origin(req, settings))
}

/// This server as browsers reach it: `--public-url`, else the scheme and
/// `Host` of the request (links handed out, the Origin check).
pub fn public_origin(req: &HttpRequest, settings: &Settings) -> String {
    match &settings.public_url {
        Some(url) => url.clone(),
        None => super::client::request_origin(req, settings),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ports_and_case_do_not_matter() {
        assert_eq!(normalise("HTTP://Example.com:80"), "http://example.com");
        assert_eq!(normalise("https://example.com:443/"), "https://example.com");
        assert_eq!(
            normalise("http://example.com:8080"),
            "http://example.com:8080"
        );
        assert_ne!(
            normalise("https://example.com"),
            normalise("http://example.com")
        );
    }
}
