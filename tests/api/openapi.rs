//! `GET /api/v1/openapi.json` against the contract: the same endpoints as
//! docs/API.md (both ways, so an endpoint added there without a
//! `#[utoipa::path]` fails here), OpenAPI 3.1, and every error an
//! operation really answers documented, in the contract's shape.

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const DOC: &str = "/api/v1/openapi.json";
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

type Endpoints = BTreeSet<(String, String)>;

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The relative paths of a section are under the base its heading names
/// (`## Users — \`/api/v1/users\``); Operations are served at the root;
/// any other section's relative paths are under `/api/v1`.
fn heading_base(heading: &str) -> String {
    if heading.starts_with("## Operations") {
        return String::new();
    }
    let named = heading
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|s| s.starts_with("/api/"));
    named.unwrap_or("/api/v1").to_owned()
}

fn resolve(base: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let full = if path.starts_with("/api/") {
        path.to_owned()
    } else {
        format!("{base}{path}")
    };
    match full.trim_end_matches('/') {
        "" => "/".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// API.md's paragraphs and bullets, each on one line (a backticked span
/// may wrap); fenced blocks left out.
fn blocks(markdown: &str) -> Vec<String> {
    let (mut out, mut fenced) = (Vec::<String>::new(), false);
    let mut open = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            (fenced, open) = (!fenced, false);
            continue;
        }
        let starts = line.starts_with('#') || line.starts_with("- ") || line.starts_with('|');
        if fenced || line.trim().is_empty() {
            open = false;
        } else if open && !starts {
            let last = out.last_mut().expect("an open block");
            last.push(' ');
            last.push_str(line.trim());
        } else {
            out.push(line.to_owned());
            open = !line.starts_with('#');
        }
    }
    out
}

/// Every `` `METHOD /path` `` of API.md; a lone `` `DELETE` `` after a path
/// ("`DELETE` the same path") means that path.
fn contract_endpoints(markdown: &str) -> Endpoints {
    let (mut base, mut out) = ("/api/v1".to_owned(), Endpoints::new());
    for block in blocks(markdown) {
        if block.starts_with("## ") {
            base = heading_base(&block);
        }
        let mut last_path: Option<String> = None;
        for span in block.split('`').skip(1).step_by(2) {
            let words: Vec<&str> = span.split_whitespace().collect();
            let path = match words.as_slice() {
                [m, p] if METHODS.contains(m) && p.starts_with('/') => resolve(&base, p),
                [m] if METHODS.contains(m) => match &last_path {
                    Some(p) => p.clone(),
                    None => continue,
                },
                _ => continue,
            };
            last_path = Some(path.clone());
            out.insert((words[0].to_owned(), path));
        }
    }
    out
}

fn document_endpoints(doc: &Value) -> Endpoints {
    let mut out = Endpoints::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

async fn document(app: &TestApp) -> Value {
    let res = app.get(DOC, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    res.body
}

#[actix_web::test]
async fn the_document_lists_exactly_the_endpoints_of_api_md() {
    let app = spawn_app().await;
    let documented = document_endpoints(&document(&app).await);
    let mut contract = contract_endpoints(&repo_file("docs/API.md"));
    assert!(
        contract.len() > 40,
        "the parser found too little: {contract:?}"
    );
    // The web UI, not part of the REST API.
    assert!(contract.remove(&("GET".into(), "/".into())));
    // Served and described in docs/api-notes.md (where API.md is silent).
    let notes = repo_file("docs/api-notes.md");
    let avatars = "/api/v1/avatars/{id}";
    assert!(
        notes.contains(avatars),
        "{avatars} is not in docs/api-notes.md"
    );
    contract.insert(("GET".into(), avatars.into()));
    let missing: Vec<_> = contract.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "in docs/API.md, not in the document: {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&contract).collect();
    assert!(
        extra.is_empty(),
        "in the document, not in docs/API.md: {extra:?}"
    );
}

#[test]
fn the_parser_reads_the_forms_api_md_uses() {
    let md = "## Users — `/api/v1/users`\n- `GET /?q=prefix&limit=20` → `{\"a\",\n  \"b\"}`;\n\
        `PATCH /me`\n- `PUT /api/v1/users/me/blocks/{user_id}` → `204`,\n  `DELETE` → `204`\n\
        ```json\n`GET /fenced`\n```\n## Invites\n`POST /auth/register` and `/refresh`\n\
        ## Operations\n- `GET /healthz`, `GET /`";
    let found: Vec<_> = contract_endpoints(md).into_iter().collect();
    let expected = [
        ("DELETE", "/api/v1/users/me/blocks/{user_id}"),
        ("GET", "/"),
        ("GET", "/api/v1/users"),
        ("GET", "/healthz"),
        ("PATCH", "/api/v1/users/me"),
        ("POST", "/api/v1/auth/register"),
        ("PUT", "/api/v1/users/me/blocks/{user_id}"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(found, expected);
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

fn documents(op: &Value, status: u16) -> bool {
    op["responses"].get(status.to_string()).is_some()
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_with_the_contracts_errors() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let bearer = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(bearer["type"], "http");
    assert_eq!(bearer["scheme"], "bearer");
    let error = &doc["components"]["schemas"]["Error"];
    assert_eq!(error["required"], json!(["error"]));
    let fields = &doc["components"]["schemas"]["ErrorFields"];
    assert_eq!(fields["required"], json!(["code", "message"]));
    let mut ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(
            !id.is_empty() && ids.insert(id),
            "{at}: operationId missing or repeated"
        );
        assert!(documents(&op, 500), "{at}: 500");
        let secured = op["security"]
            .as_array()
            .is_some_and(|s| s.contains(&json!({"bearer": []})));
        if secured {
            assert!(documents(&op, 401), "{at}: a token can be missing");
        }
        if op.get("requestBody").is_some() {
            assert!(documents(&op, 400) && documents(&op, 413), "{at}: bodies");
        }
        if op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
            assert!(documents(&op, 400), "{at}: a parameter can be malformed");
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            let schema = &response["content"]["application/json"]["schema"];
            if status.parse::<u16>().unwrap() >= 400 {
                assert_eq!(
                    schema["allOf"][0]["$ref"], "#/components/schemas/Error",
                    "{at} {status}"
                );
            }
        }
    }
}

/// `path` with every parameter filled with something that does not exist.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    for (i, part) in path.split(['{', '}']).enumerate() {
        out.push_str(match (i % 2, part) {
            (0, _) => part,
            (_, "username" | "code" | "name" | "emoji") => "nobody",
            _ => "987654321",
        });
    }
    out
}

/// Probes every operation the way a careless or hostile client would (no
/// token, a token but nothing else, a malformed body, an oversized one)
/// and checks that each status it got is documented for that operation
/// and, for errors, has the contract's body.
#[actix_web::test]
async fn every_error_an_operation_gives_is_documented_in_the_contracts_shape() {
    let app = spawn_app().await;
    let user = app.signup("prober").await;
    let doc = document(&app).await;
    let oversized = format!("{{\"body\": \"{}\"}}", "x".repeat(70 * 1024)).into_bytes();
    let mut probed = 0;
    for (method, path, op) in operations(&doc) {
        let (url, method_) = (
            concrete(&path),
            Method::from_bytes(method.as_bytes()).unwrap(),
        );
        let mut answers = vec![
            (
                "no token",
                app.call(method_.clone(), &url, None, &[], None).await,
            ),
            (
                "token only",
                app.call(method_.clone(), &url, Some(&user.token), &[], None)
                    .await,
            ),
        ];
        if op.get("requestBody").is_some() {
            for (what, body) in [
                ("malformed body", b"{".to_vec()),
                ("oversized body", oversized.clone()),
            ] {
                let token = Some(user.token.as_str());
                let res = app
                    .call_raw(method_.clone(), &url, token, "application/json", body)
                    .await;
                answers.push((what, res));
            }
        }
        for (what, res) in answers {
            let at = format!("{method} {url} ({what}): {} {}", res.status, res.body);
            assert!(documents(&op, res.status), "undocumented status: {at}");
            if res.status >= 400 {
                assert!(res.body["error"]["code"].is_string(), "{at}");
                assert!(res.body["error"]["message"].is_string(), "{at}");
            }
            probed += 1;
        }
    }
    assert!(probed > 100, "only {probed} probes");
}
