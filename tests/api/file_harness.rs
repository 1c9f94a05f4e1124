//! Uploads under test: apps on disk or S3 storage, multipart bodies, raw
//! downloads, and signed URLs made with the server's own key.
//!
//! The S3 runs need an S3-compatible server: `MICROCHAT_TEST_S3_URL` names
//! one, or `MICROCHAT_TEST_S3=moto` has this binary start moto's server
//! (`pip install 'moto[server]'`) once, on a free port. Without either, each
//! file test runs on disk only and prints that S3 was skipped.

use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::http::header::HeaderMap;
use microchat::config::Settings;
use microchat::security::file_urls::{FileUrls, Variant};

use crate::helpers::{spawn_app_with, Resp, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Disk,
    S3,
}

/// Disk always; S3 when a server is configured (else a `skipped` line).
pub fn stores() -> Vec<Store> {
    if s3_endpoint().is_some() {
        vec![Store::Disk, Store::S3]
    } else {
        println!("skipped: S3 storage (set MICROCHAT_TEST_S3=moto or MICROCHAT_TEST_S3_URL)");
        vec![Store::Disk]
    }
}

static S3: OnceLock<Option<String>> = OnceLock::new();

pub fn s3_endpoint() -> Option<String> {
    S3.get_or_init(|| {
        let url = match std::env::var("MICROCHAT_TEST_S3_URL") {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var("MICROCHAT_TEST_S3").as_deref() == Ok("moto") => start_moto(),
            _ => return None,
        };
        // moto accepts any keys; without keys object_store would ask the
        // EC2 metadata service instead. .ci/run exports these already.
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, "test");
            }
        }
        Some(url)
    })
    .clone()
}

/// Starts `moto_server` for the life of this test binary: a shell holds it
/// and kills it when our end of its stdin closes, i.e. when we exit.
fn start_moto() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let script = format!(
        "python3 -m moto.server -H 127.0.0.1 -p {port} >/dev/null 2>&1 & pid=$!; \
         cat >/dev/null; kill $pid"
    );
    let child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .spawn()
        .expect("start moto (pip install 'moto[server]')");
    // Never closed until the process exits.
    std::mem::forget(child);
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return format!("http://127.0.0.1:{port}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto did not start on port {port}");
}

pub struct FileApp {
    pub app: TestApp,
    pub bucket: Option<String>,
}

impl std::ops::Deref for FileApp {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// An app on `store` (a fresh bucket each time on S3), then `tweak`.
pub async fn spawn_on(store: Store, tweak: impl FnOnce(&mut Settings)) -> FileApp {
    let bucket = match store {
        Store::Disk => None,
        Store::S3 => {
            let name = format!("mc-test-{}", uuid::Uuid::new_v4().simple());
            let endpoint = s3_endpoint().expect("S3 configured");
            let res = awc::Client::default()
                .put(format!("{endpoint}/{name}"))
                .send()
                .await
                .expect("create bucket");
            assert!(res.status().is_success(), "create bucket: {}", res.status());
            Some(name)
        }
    };
    let s3 = bucket.clone();
    let app = spawn_app_with(move |s| {
        if let Some(bucket) = s3 {
            s.s3_bucket = Some(bucket);
            s.s3_endpoint = s3_endpoint();
        }
        tweak(s);
    })
    .await;
    FileApp { app, bucket }
}

/// A multipart part.
pub struct Part<'a> {
    pub name: &'a str,
    pub filename: Option<&'a str>,
    pub data: Vec<u8>,
}

pub fn file_part<'a>(filename: &'a str, data: &[u8]) -> Part<'a> {
    Part {
        name: "file",
        filename: Some(filename),
        data: data.to_vec(),
    }
}

pub const BOUNDARY: &str = "----microchat-test-boundary-7MA4YWxkTrZu0gW";

pub fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let filename = p
            .filename
            .map(|f| format!("; filename=\"{f}\""))
            .unwrap_or_default();
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"{filename}\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                p.name
            )
            .as_bytes(),
        );
        body.extend_from_slice(&p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A download, read whole as bytes.
pub struct Download {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Download {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

impl FileApp {
    pub async fn upload_parts(&self, token: &str, parts: &[Part<'_>]) -> Resp {
        self.call_raw(
            actix_web::http::Method::POST,
            "/api/v1/uploads",
            Some(token),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(parts),
        )
        .await
    }

    pub async fn upload(&self, token: &str, filename: &str, data: &[u8]) -> Resp {
        self.upload_parts(token, &[file_part(filename, data)]).await
    }

    /// `GET` a path (a file URL) with extra headers.
    pub async fn download(&self, path: &str, headers: &[(&str, &str)]) -> Download {
        let mut req = self.client.get(format!("{}{path}", self.addr));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = req.send().await.expect("request sent");
        let body = res.body().limit(64 * 1024 * 1024).await.expect("body read");
        Download {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: body.to_vec(),
        }
    }

    /// Signs URLs with the key the server generated and stored.
    pub fn urls(&self) -> FileUrls {
        let mut conn = microchat::db::establish(&self.settings.database_url).unwrap();
        let key = microchat::db::settings::get(&mut conn, "file_url_key")
            .unwrap()
            .expect("file URL key stored");
        FileUrls::new(key.as_bytes(), None)
    }

    pub fn url(&self, id: i64, name: &str, variant: Variant) -> String {
        self.urls()
            .url(id, name, variant, chrono::Utc::now().timestamp())
    }

    /// How many objects the storage holds (upload temp files included).
    pub async fn stored_objects(&self) -> usize {
        match &self.bucket {
            None => {
                let dir = self.settings.files_dir.clone().expect("files dir");
                count_files(&dir)
            }
            Some(bucket) => {
                let endpoint = s3_endpoint().unwrap();
                let mut res = awc::Client::default()
                    .get(format!("{endpoint}/{bucket}?list-type=2"))
                    .send()
                    .await
                    .expect("list bucket");
                let body = res.body().await.unwrap();
                String::from_utf8_lossy(&body).matches("<Key>").count()
            }
        }
    }
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() {
                        count_files(&path)
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
