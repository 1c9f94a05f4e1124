//! Starting, stopping and reaching the processes of a test cluster.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{test_database, TestApp, TestDb, SECRET};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// One `microchat serve` process on a fixed port (so it can come back on
/// the same one after a restart).
struct Instance {
    port: u16,
    child: Option<Child>,
}

pub struct Cluster {
    pub database_url: String,
    pub redis_url: String,
    pub namespace: String,
    /// Extra flags every instance starts with.
    flags: Vec<String>,
    instances: Vec<Instance>,
    nginx: Option<Child>,
    /// nginx's port: what clients use.
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Cluster {
    /// A failing test must not leave processes behind.
    fn drop(&mut self) {
        for child in self
            .instances
            .iter_mut()
            .filter_map(|i| i.child.as_mut())
            .chain(self.nginx.as_mut())
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Cluster {
    /// `n` instances on a fresh database and Redis namespace, behind nginx.
    pub async fn start(n: usize, redis_url: &str, flags: &[&str]) -> Cluster {
        let (database_url, db) = test_database();
        assert!(
            matches!(db, TestDb::Postgres),
            "the cluster shares PostgreSQL"
        );
        let mut cluster = Cluster {
            database_url,
            redis_url: redis_url.to_owned(),
            namespace: format!("cluster-{}", uuid::Uuid::new_v4().simple()),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            instances: (0..n)
                .map(|_| Instance {
                    port: free_port(),
                    child: None,
                })
                .collect(),
            nginx: None,
            port: free_port(),
            dir: tempfile::tempdir().expect("temp dir"),
        };
        // One at a time: the first applies the migrations.
        for i in 0..n {
            cluster.start_instance(i).await;
        }
        cluster.start_nginx().await;
        cluster
    }

    /// A client talking to nginx.
    pub fn lb(&self) -> TestApp {
        TestApp::external(self.port, &self.database_url, TestDb::Postgres)
    }

    /// A client talking to instance `i` directly.
    pub fn direct(&self, i: usize) -> TestApp {
        TestApp::external(self.instances[i].port, &self.database_url, TestDb::Postgres)
    }

    fn log_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.log"))
    }

    /// Starts (or restarts) instance `i` and waits until it is ready.
    pub async fn start_instance(&mut self, i: usize) {
        let port = self.instances[i].port;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path(&format!("instance-{i}")))
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_microchat"))
            .arg("serve")
            .args(["--bind", &format!("127.0.0.1:{port}"), "--insecure-dev"])
            .args(["--auth-rate-per-minute", "100000"])
            .args(["--login-failures-per-account", "100000"])
            .args(["--ws-send-rate", "100000", "--ws-send-burst", "100000"])
            .args(["--ws-frame-rate", "100000", "--ws-frame-burst", "100000"])
            .args([
                "--chats-per-hour",
                "100000",
                "--member-adds-per-hour",
                "100000",
            ])
            .args(["--workers", "2"])
            .args(&self.flags)
            .env("MICROCHAT_DATABASE_URL", &self.database_url)
            .env("MICROCHAT_REDIS_URL", &self.redis_url)
            .env("MICROCHAT_REDIS_NAMESPACE", &self.namespace)
            .env("MICROCHAT_JWT_SECRET", SECRET)
            .env("MICROCHAT_FILES_DIR", self.dir.path().join("files"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("microchat starts");
        self.instances[i].child = Some(child);
        wait_until_ready(port, &self.log_path(&format!("instance-{i}"))).await;
    }

    /// SIGKILL: the process dies mid-whatever.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.instances[i].child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }

    /// SIGTERM: the process drains, then exits. Answers whether it exited
    /// cleanly and how long it took.
    pub async fn terminate(&mut self, i: usize) -> (bool, Duration) {
        let mut child = self.instances[i].child.take().expect("running");
        let started = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        loop {
            if let Some(exit) = child.try_wait().expect("waitable") {
                return (exit.success(), started.elapsed());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "still draining"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// An instance's log so far (for failure messages).
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.log_path(&format!("instance-{i}"))).unwrap_or_default()
    }

    /// The value of an unlabelled metric on instance `i`.
    pub async fn metric(&self, i: usize, name: &str) -> f64 {
        let res = self.direct(i).get("/metrics", None).await;
        let text = res.body.as_str().unwrap_or_default().to_owned();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} not in /metrics"))
    }

    /// The shipped nginx site (`deploy/nginx/microchat.conf`), pointed at
    /// this cluster's instances and port, inside a minimal main config that
    /// keeps every file nginx writes in the temp dir.
    fn nginx_config(&self) -> String {
        let site = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx/microchat.conf"),
        )
        .expect("deploy/nginx/microchat.conf");
        let dir = self.dir.path().display();
        let mut out = String::new();
        for line in site.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("server microchat-") {
                if trimmed.starts_with("server microchat-1:") {
                    for instance in &self.instances {
                        out.push_str(&format!(
                            "    server 127.0.0.1:{} max_fails=3 fail_timeout=10s;\n",
                            instance.port
                        ));
                    }
                }
            } else if trimmed.starts_with("listen ") {
                out.push_str(&format!("    listen 127.0.0.1:{};\n", self.port));
            } else if trimmed.starts_with("access_log ") {
                out.push_str(&format!("    access_log {dir}/access.log microchat;\n"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        assert!(out.contains(&format!("127.0.0.1:{}", self.instances[0].port)));
        format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {dir}/nginx.pid;\n\
             error_log {dir}/nginx-error.log warn;\n\
             events {{ worker_connections 8192; }}\n\
             http {{\n\
             client_body_temp_path {dir}/body;\nproxy_temp_path {dir}/proxy;\n\
             fastcgi_temp_path {dir}/fastcgi;\nuwsgi_temp_path {dir}/uwsgi;\nscgi_temp_path {dir}/scgi;\n\
             {out}}}\n"
        )
    }

    async fn start_nginx(&mut self) {
        let config = self.dir.path().join("nginx.conf");
        std::fs::write(&config, self.nginx_config()).expect("nginx.conf written");
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(self.dir.path())
            .arg("-e")
            .arg(self.dir.path().join("nginx-error.log"))
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        self.nginx = Some(child);
        wait_until_ready(self.port, &self.dir.path().join("nginx-error.log")).await;
    }
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("nginx is installed (tests/cluster/run.sh installs it)")
}

/// Polls `GET /readyz` until it answers 200.
async fn wait_until_ready(port: u16, log: &Path) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(2))
        .finish();
    let started = Instant::now();
    loop {
        let url = format!("http://127.0.0.1:{port}/readyz");
        if let Ok(res) = client.get(url).send().await {
            if res.status().is_success() {
                return;
            }
        }
        if started.elapsed() > Duration::from_secs(30) {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("port {port} not ready within 30 s; log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
