//! Several real `microchat` processes behind nginx, sharing one fresh
//! PostgreSQL database and one Redis, as a deployment runs them.
//!
//! Runs when MICROCHAT_TEST_CLUSTER=1 (with MICROCHAT_TEST_DATABASE_URL and
//! MICROCHAT_TEST_REDIS_URL, and nginx installed; `tests/cluster/run.sh`
//! installs it and sets all three). Otherwise each test prints that it
//! skipped.

mod harness;
mod presence;
mod rolling;
mod through_nginx;

pub use harness::{free_port, Cluster};

/// `None` (and a line saying so) unless the cluster tests are enabled.
pub fn enabled() -> Option<(String, String)> {
    if std::env::var("MICROCHAT_TEST_CLUSTER").map_or(true, |v| v.is_empty() || v == "0") {
        println!("skipped: MICROCHAT_TEST_CLUSTER is not set (see tests/cluster/run.sh)");
        return None;
    }
    let var = |name: &str| match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("MICROCHAT_TEST_CLUSTER needs {name}"),
    };
    Some((
        var("MICROCHAT_TEST_DATABASE_URL"),
        var("MICROCHAT_TEST_REDIS_URL"),
    ))
}
