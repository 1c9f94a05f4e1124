//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the REST API.
//!
//! Built from the code, not written by hand: every handler carries a
//! `#[utoipa::path]` with its path, parameters, body type and the statuses
//! it answers, and the bodies are the contract's own types (`protocol`,
//! deriving `ToSchema`). What every operation shares is added here once:
//! the error body of each status (`{"error": {"code", "message",
//! "details"?}}` with the codes that status carries), the errors any
//! operation of its kind can give (a bad body or parameter, a missing
//! token, an unreachable database), and the security schemes.
//! `docs/API.md` stays the contract; tests/api/openapi.rs holds the two
//! together.

use std::sync::OnceLock;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::protocol::{ErrorCode, ErrorJson};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "microchat",
        description = "The REST API of microchat, generated from the code. `docs/API.md` is \
            the contract (WebSocket frames are described there); every non-2xx answer has the \
            body `{\"error\": {\"code\", \"message\", \"details\"?}}`."
    ),
    paths(serve, super::ws::upgrade),
    components(schemas(ErrorJson<'static>))
)]
struct Root;

/// Each handler module's paths, with the tag they are grouped under.
fn parts() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    vec![
        ("auth", super::auth::Api::openapi()),
        ("users", super::users::Api::openapi()),
        ("users", super::profile::Api::openapi()),
        ("users", super::blocks::Api::openapi()),
        ("users", super::user_admin::Api::openapi()),
        ("invites", super::invites::Api::openapi()),
        ("chats", super::chats::Api::openapi()),
        ("messages", super::messages::Api::openapi()),
        ("messages", super::message_changes::Api::openapi()),
        ("search", super::search::Api::openapi()),
        ("files", super::uploads::Api::openapi()),
        ("files", super::files::Api::openapi()),
        ("operations", super::ops::Api::openapi()),
    ]
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// The whole document. Panics if two handlers claim one operation or two
/// types one schema name (a unit test builds it, so that never ships).
pub fn document() -> Value {
    let mut doc = to_json(Root::openapi());
    tag_all(&mut doc, "operations");
    for (tag, part) in parts() {
        let mut part = to_json(part);
        tag_all(&mut part, tag);
        merge(&mut doc, part);
    }
    doc["components"]["securitySchemes"] = json!({
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "an access token from login, guest or refresh"},
        "refresh_cookie": {"type": "apiKey", "in": "cookie", "name": "refresh_token"},
        "metrics_token": {"type": "http", "scheme": "bearer",
            "description": "`--metrics-token`, when set"},
    });
    for (path, item) in object(&mut doc["paths"]) {
        for (method, op) in object(item) {
            if METHODS.contains(&method.as_str()) {
                add_contract_errors(path, op);
            }
        }
    }
    doc
}

fn to_json(api: utoipa::openapi::OpenApi) -> Value {
    serde_json::to_value(api).expect("an OpenAPI document serializes")
}

fn object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("just made an object")
}

/// Tags each operation and prefixes its id (the handler's name, which
/// repeats across modules: `create`, `delete`) with the tag, so ids are
/// unique as OpenAPI requires.
fn tag_all(doc: &mut Value, tag: &str) {
    for item in object(&mut doc["paths"]).values_mut() {
        for (method, op) in object(item) {
            if METHODS.contains(&method.as_str()) {
                op["tags"] = json!([tag]);
                let id = op["operationId"].as_str().unwrap_or(method).to_owned();
                op["operationId"] = json!(format!("{tag}_{id}"));
            }
        }
    }
}

fn merge(doc: &mut Value, mut part: Value) {
    for (path, mut item) in std::mem::take(object(&mut part["paths"])) {
        let into = object(&mut doc["paths"][&path]);
        for (method, op) in std::mem::take(object(&mut item)) {
            assert!(
                into.insert(method.clone(), op).is_none(),
                "two handlers document {method} {path}"
            );
        }
    }
    let schemas = std::mem::take(object(&mut part["components"]["schemas"]));
    let into = object(&mut doc["components"]["schemas"]);
    for (name, schema) in schemas {
        if let Some(existing) = into.get(&name) {
            assert_eq!(
                existing, &schema,
                "two types are named {name} in the document"
            );
        }
        into.insert(name, schema);
    }
}

/// What `status` means, from the table of API.md.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "malformed JSON, wrong types, unknown enum value, missing fields, bad parameter",
        401 => "missing, bad, expired or revoked token",
        403 => "authenticated but the role or chat membership does not allow it",
        404 => "no such chat/user, or the caller may not know it exists",
        409 => "username or email taken; the last admin's role",
        413 => "body over 64 KiB (an upload: file over --max-upload-bytes)",
        416 => "range not satisfiable",
        422 => "well-formed but invalid (details.fields) or unknown usernames (details.usernames)",
        429 => "too many requests; Retry-After header in seconds",
        503 => "the database is unreachable; retry after Retry-After seconds",
        _ => "internal error; never leaks internals",
    }
}

/// The codes an error answer with `status` carries.
fn codes_of(status: u16) -> Vec<&'static str> {
    match status {
        503 => vec![ErrorCode::Internal.as_str()],
        416 => vec![ErrorCode::BadRequest.as_str()],
        _ => ErrorCode::ALL
            .iter()
            .filter(|c| c.status().as_u16() == status)
            .map(|c| c.as_str())
            .collect(),
    }
}

fn error_response(status: u16) -> Value {
    let body = json!({"allOf": [
        {"$ref": "#/components/schemas/Error"},
        {"type": "object", "properties": {"error": {"type": "object",
            "properties": {"code": {"enum": codes_of(status)}}}}},
    ]});
    let mut response = json!({
        "description": error_description(status),
        "content": {"application/json": {"schema": body}},
    });
    if status == 429 || status == 503 {
        response["headers"] = json!({"Retry-After": {
            "description": "seconds to wait", "schema": {"type": "integer"}}});
    }
    response
}

/// Adds what any operation of its kind can answer and gives every error
/// status the contract's body.
fn add_contract_errors(path: &str, op: &mut Value) {
    let bearer = op["security"]
        .as_array()
        .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
    let has_body = op.get("requestBody").is_some();
    let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
    let responses = object(&mut op["responses"]);
    let mut common = vec![500];
    // Only these two never touch the database.
    if path != "/healthz" && path != "/api/v1/openapi.json" {
        common.push(503);
    }
    if bearer {
        common.push(401);
    }
    if has_body {
        common.extend([400, 413]);
    }
    if has_params {
        common.push(400);
    }
    for status in common {
        responses.entry(status.to_string()).or_insert(json!({}));
    }
    for (status, response) in responses.iter_mut() {
        let code: u16 = status.parse().expect("numeric statuses only");
        if code >= 400 {
            *response = error_response(code);
        } else if response["description"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
        {
            let reason = StatusCode::from_u16(code)
                .ok()
                .and_then(|s| s.canonical_reason());
            response["description"] = json!(reason.unwrap_or_default());
        }
    }
}

/// The document, built once and served as is: it describes the code, so
/// it cannot change while the process runs. Public, like the contract.
#[utoipa::path(get, path = "/api/v1/openapi.json",
    responses((status = 200, description = "this document", body = Object)))]
pub async fn serve() -> HttpResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| document().to_string());
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the document (so a clash of names fails here, not in a
    /// server) and checks the error codes of the schema are the contract's.
    #[test]
    fn the_document_builds_and_spells_the_codes_as_the_contract() {
        let doc = document();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
        let expected: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(codes, &json!(expected));
        assert_eq!(codes_of(422), ["validation_failed", "unknown_users"]);
    }

    #[test]
    #[should_panic(expected = "two handlers document get /x")]
    fn a_path_claimed_twice_is_refused() {
        let part = json!({"paths": {"/x": {"get": {}}}});
        let mut doc = json!({});
        merge(&mut doc, part.clone());
        merge(&mut doc, part);
    }

    #[test]
    #[should_panic(expected = "two types are named Body")]
    fn two_schemas_with_one_name_are_refused() {
        let mut doc = json!({});
        merge(
            &mut doc,
            json!({"components": {"schemas": {"Body": {"type": "string"}}}}),
        );
        merge(
            &mut doc,
            json!({"components": {"schemas": {"Body": {"type": "integer"}}}}),
        );
    }
}
