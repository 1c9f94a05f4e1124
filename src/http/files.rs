//! `GET /api/v1/files/{id}/{name}?exp=…&sig=…[&thumb=1]`: a stored file (or
//! its thumbnail) for whoever holds a signed URL. The name segment is for
//! people and their browsers' "save as"; the id and signature decide.

use crate::protocol::{ErrorCode, ErrorJson};
use actix_web::http::header::{
    self, ContentDisposition, DispositionParam, DispositionType, HeaderValue,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::error::ApiError;
use super::state::AppState;
use crate::domain::StoredUpload;
use crate::security::file_urls::Variant;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/{name}", web::get().to(serve))
        .route("/{id}/{name}", web::head().to(serve));
}

/// This module's part of `GET /api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(paths(serve))]
pub(super) struct Api;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Signed {
    /// Expiry, Unix seconds.
    exp: Option<String>,
    sig: Option<String>,
    /// `1` for the thumbnail.
    thumb: Option<String>,
}

/// What one variant of an upload is served as.
struct Served<'a> {
    key: &'a str,
    content_type: &'a str,
    size: u64,
    etag: String,
}

fn variant_of(upload: &StoredUpload, variant: Variant) -> Option<Served<'_>> {
    match variant {
        Variant::File => Some(Served {
            key: &upload.storage_key,
            content_type: &upload.content_type,
            size: upload.size as u64,
            etag: format!("\"{}\"", upload.sha256),
        }),
        Variant::Thumbnail => {
            let thumb = upload.thumbnail.as_ref()?;
            Some(Served {
                key: &thumb.storage_key,
                content_type: &thumb.content_type,
                size: thumb.size as u64,
                etag: format!("\"{}-thumb\"", upload.sha256),
            })
        }
    }
}

/// Raster images and audio are shown in the page; everything else,
/// SVG and HTML included, is only ever downloaded.
fn inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    ) || content_type.starts_with("audio/")
}

#[utoipa::path(get, path = "/api/v1/files/{id}/{name}",
    params(("id" = i64, Path), ("name" = String, Path), Signed),
    responses((status = 200, description = "the file", content_type = "application/octet-stream",
        body = [u8]), (status = 206), (status = 304), (status = 403), (status = 404),
        (status = 416)))]
async fn serve(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    query: web::Query<Signed>,
) -> Result<HttpResponse, ApiError> {
    let (id, _name) = path.into_inner();
    let variant = match query.thumb.as_deref() {
        Some("1") => Variant::Thumbnail,
        _ => Variant::File,
    };
    let now = chrono::Utc::now().timestamp();
    let expires = query.exp.as_deref().and_then(|e| e.parse::<i64>().ok());
    let signed = match (expires, query.sig.as_deref()) {
        (Some(exp), Some(sig)) => state.svc.files.urls.verify(id, variant, exp, sig, now),
        _ => false,
    };
    let Some(expires) = expires.filter(|_| signed) else {
        return Err(ApiError::forbidden("invalid or expired file link"));
    };
    let row = state
        .svc
        .files
        .find(id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such file"))?;
    let cache = format!("private, max-age={}, immutable", (expires - now).max(0));
    respond(&state, &req, &row, variant, &cache).await
}

/// Serves one variant of a found upload with `Cache-Control: cache`:
/// validators, ranges, `HEAD`, and the headers that keep it from running
/// as a page. Signed file URLs and avatars both end here.
pub(super) async fn respond(
    state: &AppState,
    req: &HttpRequest,
    row: &StoredUpload,
    variant: Variant,
    cache: &str,
) -> Result<HttpResponse, ApiError> {
    let (files, id) = (&state.svc.files, row.id);
    let served = variant_of(row, variant).ok_or_else(|| ApiError::not_found("no thumbnail"))?;

    let mut res = HttpResponse::Ok();
    res.insert_header((header::ETAG, served.etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache.to_owned()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(&row.name, served.content_type),
        ));
    if matches_any(req.headers().get(header::IF_NONE_MATCH), &served.etag) {
        return Ok(res.status(StatusCode::NOT_MODIFIED).finish());
    }
    let range = match requested_range(req, &served) {
        Ok(range) => range,
        Err(()) => return Ok(unsatisfiable(served.size)),
    };
    res.insert_header((header::CONTENT_TYPE, served.content_type));
    let len = match &range {
        Some(r) => {
            res.status(StatusCode::PARTIAL_CONTENT).insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{}", r.start, r.end - 1, served.size),
            ));
            r.end - r.start
        }
        None => served.size,
    };
    if req.method() == actix_web::http::Method::HEAD {
        // A sized body that is never polled: actix writes its length and
        // sends nothing after the headers of a HEAD.
        let nothing = futures_util::stream::empty::<Result<bytes::Bytes, ApiError>>();
        return Ok(res.body(actix_web::body::SizedStream::new(len, nothing)));
    }
    if len == 0 {
        return Ok(res.finish());
    }
    let body = files
        .storage
        .get(served.key, range)
        .await
        .map_err(|e| ApiError::internal(format!("reading upload {id}: {e}")))?
        .map(|chunk| chunk.map_err(|e| ApiError::internal(format!("reading upload: {e}"))));
    res.no_chunking(len);
    Ok(res.streaming(body))
}

fn disposition(name: &str, content_type: &str) -> ContentDisposition {
    let mut parameters = Vec::new();
    if name.is_ascii() && !name.contains('"') {
        parameters.push(DispositionParam::Filename(name.to_owned()));
    } else {
        // RFC 6266: an ASCII fallback plus the UTF-8 name.
        let ascii: String = name
            .chars()
            .map(|c| if c.is_ascii() && c != '"' { c } else { '_' })
            .collect();
        parameters.push(DispositionParam::Filename(ascii));
        parameters.push(DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: if inline(content_type) {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters,
    }
}

/// `If-None-Match`: `*` or a list of (possibly weak) tags.
fn matches_any(header: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(value) = header.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// The one range asked for, `None` for the whole file (no `Range`, a
/// multi-range or malformed one, or an `If-Range` that no longer matches),
/// `Err` when it cannot be satisfied.
fn requested_range(req: &HttpRequest, served: &Served) -> Result<Option<std::ops::Range<u64>>, ()> {
    let Some(value) = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    if let Some(if_range) = req.headers().get(header::IF_RANGE) {
        if if_range.to_str().ok() != Some(served.etag.as_str()) {
            return Ok(None);
        }
    }
    parse_range(value, served.size)
}

fn parse_range(value: &str, size: u64) -> Result<Option<std::ops::Range<u64>>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let range = match (first.trim().is_empty(), last.trim().is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => match number(last) {
            Some(0) => return Err(()),
            Some(n) => size.saturating_sub(n)..size,
            None => return Ok(None),
        },
        (false, true) => match number(first) {
            Some(a) => a..size,
            None => return Ok(None),
        },
        (false, false) => match (number(first), number(last)) {
            (Some(a), Some(b)) if a <= b => a..(b + 1).min(size),
            _ => return Ok(None),
        },
        (true, true) => return Ok(None),
    };
    if range.start >= size {
        return Err(());
    }
    Ok(Some(range))
}

/// `416` in the contract's error shape, with the size in `Content-Range`.
fn unsatisfiable(size: u64) -> HttpResponse {
    HttpResponse::RangeNotSatisfiable()
        .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
        .json(ErrorJson::new(
            ErrorCode::BadRequest,
            "range not satisfiable",
            None,
        ))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some(0..10)));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some(90..100)));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some(90..100)));
        assert_eq!(parse_range("bytes=-500", 100), Ok(Some(0..100)));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some(50..100)));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=200-300", 100), Err(()));
        assert_eq!(parse_range("bytes=-0", 100), Err(()));
        // Ignored (whole file): other units, several ranges, nonsense.
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(parse_range("bytes=9-3", 100), Ok(None));
        assert_eq!(parse_range("bytes=x-", 100), Ok(None));
    }
}
