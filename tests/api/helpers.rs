use std::time::Duration;

use actix_web::http::{header::HeaderMap, Method};
use diesel::{Connection, PgConnection, RunQueryDsl};
use microchat::config::Settings;
use microchat::startup::Application;
use serde_json::{json, Value};

pub const SECRET: &str = "test-secret-test-secret-test-secret!";
pub const PASSWORD: &str = "correct horse 1";

/// Where a test's data lives; the temp dir is removed on drop.
pub enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres,
}

pub struct TestApp {
    pub addr: String,
    pub port: u16,
    pub settings: Settings,
    pub client: awc::Client,
    _db: TestDb,
    /// The uploads directory (unless the test configured S3).
    _files: Option<tempfile::TempDir>,
}

/// A response, read whole.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The raw `Set-Cookie` line for the refresh cookie.
    pub fn refresh_set_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("refresh_token="))
            .map(str::to_owned)
    }

    /// `refresh_token=VALUE`, ready for a `Cookie` header.
    pub fn refresh_cookie(&self) -> Option<String> {
        self.refresh_set_cookie()
            .map(|line| line.split(';').next().unwrap_or_default().to_owned())
    }

    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<none>")
    }

    /// Asserts the contract's error shape and returns the code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.error_code(), code, "body: {}", self.body);
        assert!(
            self.body["error"]["message"].is_string(),
            "body: {}",
            self.body
        );
    }
}

/// A registered and logged-in user.
pub struct Account {
    pub id: i64,
    pub token: String,
    pub cookie: String,
}

pub fn test_database() -> (String, TestDb) {
    match std::env::var("MICROCHAT_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("microchat_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn =
                PgConnection::establish(&base).expect("connect to MICROCHAT_TEST_DATABASE_URL");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("URL names a database");
            (format!("{prefix}/{name}"), TestDb::Postgres)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app with default settings, a fixed secret, generous rate limits
/// (tests that check limits lower them), then `tweak`.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let _ = env_logger::builder().is_test(true).try_init();
    let (url, db) = test_database();
    let mut settings = Settings::for_database(&url);
    settings.jwt_secret = Some(microchat::config::Secret(SECRET.into()));
    settings.auth_rate_per_minute = 100_000;
    settings.login_failures_per_account = 100_000;
    settings.login_failures_per_account_total = 100_000;
    settings.ws_sessions_per_user = 100_000;
    settings.chats_per_hour = 100_000;
    settings.member_adds_per_hour = 100_000;
    settings.ws_send_rate = 100_000;
    settings.ws_send_burst = 100_000;
    settings.ws_frame_rate = 100_000;
    settings.ws_frame_burst = 100_000;
    settings.ws_connections_per_address = 100_000;
    settings.workers = Some(2);
    let files = tempfile::tempdir().expect("temp dir");
    settings.files_dir = Some(files.path().to_owned());
    tweak(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("app starts");
    let port = app.port();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    TestApp {
        addr: format!("http://127.0.0.1:{port}"),
        port,
        settings,
        client,
        _db: db,
        _files: Some(files),
    }
}

impl TestApp {
    /// A client for a server running elsewhere (a child process) on `port`.
    pub fn external(port: u16, database_url: &str, db: TestDb) -> TestApp {
        let settings = Settings::for_database(database_url);
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        TestApp {
            addr: format!("http://127.0.0.1:{port}"),
            port,
            settings,
            client,
            _db: db,
            _files: None,
        }
    }

    /// Sends a request with optional bearer token, extra headers and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.addr));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let res = match body {
            Some(body) => req.send_json(&body).await,
            None => req.send().await,
        };
        read(res.expect("request sent")).await
    }

    /// Sends raw bytes with a given content type.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.addr))
            .insert_header(("Content-Type", content_type));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        read(req.send_body(body).await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, path, token, &[], None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, path, token, &[], Some(body)).await
    }

    pub async fn register(&self, username: &str, email: &str, password: &str) -> Resp {
        let body = json!({"username": username, "email": email, "password": password});
        self.post("/api/v1/auth/register", None, body).await
    }

    pub async fn login(&self, login: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({"login": login, "password": password}),
        )
        .await
    }

    /// `POST /refresh` presenting `cookie`, optionally with an `Origin`.
    pub async fn refresh(&self, cookie: &str, origin: Option<&str>) -> Resp {
        let mut headers = vec![("Cookie", cookie)];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        self.call(Method::POST, "/api/v1/auth/refresh", None, &headers, None)
            .await
    }

    /// Registers `username` (email `<username>@example.com`) and logs in.
    pub async fn signup(&self, username: &str) -> Account {
        let email = format!("{}@example.com", username.to_lowercase());
        let reg = self.register(username, &email, PASSWORD).await;
        assert_eq!(reg.status, 201, "register {username}: {}", reg.body);
        let login = self.login(username, PASSWORD).await;
        assert_eq!(login.status, 200, "login {username}: {}", login.body);
        Account {
            id: login.body["user"]["id"].as_i64().unwrap(),
            token: login.body["access_token"].as_str().unwrap().to_owned(),
            cookie: login.refresh_cookie().expect("refresh cookie"),
        }
    }

    /// Makes `username` an admin the way an operator would, through the CLI code path.
    pub fn make_admin(&self, username: &str) {
        microchat::admin::set_role(&self.settings, username, "admin").expect("set-role");
    }
}

async fn read<S>(mut res: awc::ClientResponse<S>) -> Resp
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.body().limit(4 * 1024 * 1024).await.expect("body read");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Resp {
        status,
        headers,
        body,
    }
}

impl TestApp {
    /// `POST /chats` as `token`; asserts 201 and returns the chat id.
    pub async fn create_chat(
        &self,
        token: &str,
        name: &str,
        members: &[&str],
        public: bool,
    ) -> i64 {
        let body = serde_json::json!({"name": name, "members": members, "public": public});
        let res = self.post("/api/v1/chats", Some(token), body).await;
        assert_eq!(res.status, 201, "create chat: {}", res.body);
        res.body["id"].as_i64().unwrap()
    }

    /// `POST /chats/{id}/messages`.
    pub async fn send_rest(
        &self,
        token: &str,
        chat_id: i64,
        body: &str,
        client_id: Option<&str>,
    ) -> Resp {
        let body = serde_json::json!({"body": body, "client_id": client_id});
        self.post(
            &format!("/api/v1/chats/{chat_id}/messages"),
            Some(token),
            body,
        )
        .await
    }

    /// History ids, oldest first.
    pub async fn history_ids(&self, token: &str, chat_id: i64, query: &str) -> Vec<i64> {
        let res = self
            .get(
                &format!("/api/v1/chats/{chat_id}/messages{query}"),
                Some(token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.body
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect()
    }
}
