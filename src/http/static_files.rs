//! The web UI, embedded in the binary so it runs with no files beside it.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// (URL path, content type, bytes). Every file under `static/` is listed here.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("/", HTML, include_bytes!("../../static/index.html")),
    ("/app.css", CSS, include_bytes!("../../static/app.css")),
    ("/files.css", CSS, include_bytes!("../../static/files.css")),
    (
        "/favicon.svg",
        SVG,
        include_bytes!("../../static/favicon.svg"),
    ),
    ("/js/main.js", JS, include_bytes!("../../static/js/main.js")),
    (
        "/js/people.js",
        JS,
        include_bytes!("../../static/js/people.js"),
    ),
    (
        "/js/admin-invites.js",
        JS,
        include_bytes!("../../static/js/admin-invites.js"),
    ),
    ("/js/api.js", JS, include_bytes!("../../static/js/api.js")),
    (
        "/js/socket.js",
        JS,
        include_bytes!("../../static/js/socket.js"),
    ),
    (
        "/js/store.js",
        JS,
        include_bytes!("../../static/js/store.js"),
    ),
    (
        "/js/realtime.js",
        JS,
        include_bytes!("../../static/js/realtime.js"),
    ),
    ("/js/dom.js", JS, include_bytes!("../../static/js/dom.js")),
    (
        "/js/auth-view.js",
        JS,
        include_bytes!("../../static/js/auth-view.js"),
    ),
    (
        "/js/sidebar.js",
        JS,
        include_bytes!("../../static/js/sidebar.js"),
    ),
    (
        "/js/conversation.js",
        JS,
        include_bytes!("../../static/js/conversation.js"),
    ),
    (
        "/js/members.js",
        JS,
        include_bytes!("../../static/js/members.js"),
    ),
    (
        "/js/dialogs.js",
        JS,
        include_bytes!("../../static/js/dialogs.js"),
    ),
    (
        "/js/chat-dialogs.js",
        JS,
        include_bytes!("../../static/js/chat-dialogs.js"),
    ),
    (
        "/js/message-view.js",
        JS,
        include_bytes!("../../static/js/message-view.js"),
    ),
    (
        "/js/mentions.js",
        JS,
        include_bytes!("../../static/js/mentions.js"),
    ),
    (
        "/js/search.js",
        JS,
        include_bytes!("../../static/js/search.js"),
    ),
    (
        "/js/notify.js",
        JS,
        include_bytes!("../../static/js/notify.js"),
    ),
    (
        "/js/files.js",
        JS,
        include_bytes!("../../static/js/files.js"),
    ),
    (
        "/js/upload-tray.js",
        JS,
        include_bytes!("../../static/js/upload-tray.js"),
    ),
    (
        "/js/voice.js",
        JS,
        include_bytes!("../../static/js/voice.js"),
    ),
    (
        "/js/admin.js",
        JS,
        include_bytes!("../../static/js/admin.js"),
    ),
    ("/js/i18n.js", JS, include_bytes!("../../static/js/i18n.js")),
    ("/i18n/en.js", JS, include_bytes!("../../static/i18n/en.js")),
    ("/i18n/ru.js", JS, include_bytes!("../../static/i18n/ru.js")),
];

/// No inline script, nothing from elsewhere.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                   media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    for (path, content_type, bytes) in ASSETS {
        cfg.route(
            path,
            web::get().to(move || async move {
                HttpResponse::Ok()
                    .content_type(*content_type)
                    .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
                    .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    // Embedded files change only with the binary: revalidate
                    // so an upgrade never mixes old and new modules.
                    .insert_header((header::CACHE_CONTROL, "no-cache"))
                    .body(*bytes)
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::ASSETS;
    use std::path::Path;

    fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("static/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                files_under(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("under static/");
                out.push(format!("/{}", rel.to_string_lossy().replace('\\', "/")));
            }
        }
    }

    /// A module missing from ASSETS would 404 and stop the whole UI loading.
    #[test]
    fn every_file_in_static_is_served() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
        let mut files = Vec::new();
        files_under(&root, &root, &mut files);
        for file in files {
            let url = if file == "/index.html" { "/" } else { &file };
            assert!(
                ASSETS.iter().any(|(path, _, _)| *path == url),
                "{file} is in static/ but not in ASSETS"
            );
        }
    }
}
