//! Fixed-window counters in Redis: one key per (limit, key), expiring with
//! its window, updated by one script so that reading, counting and setting
//! the expiry are atomic across instances.

use std::time::Duration;

use deadpool_redis::redis;
use sha2::{Digest, Sha256};

/// KEYS[1] the counter; ARGV: limit, window in ms, events to count (0 to
/// ask). Answers {1, 0} when allowed, {0, ms until the window resets} when not.
const SCRIPT: &str = r#"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local k = tonumber(ARGV[3])
if n >= tonumber(ARGV[1]) or n + k > tonumber(ARGV[1]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
if k > 0 then
  if redis.call('INCRBY', KEYS[1], k) == k then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
end
return {1, 0}
"#;

/// KEYS[1] the counter: one count taken back, never below zero, the
/// window's expiry kept.
const RELEASE: &str = r#"
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then
  redis.call('DECR', KEYS[1])
end
return 1
"#;

/// Keys longer than this are hashed, so a client cannot make Redis keys of
/// any size it likes (login names come from the request).
const MAX_KEY: usize = 64;

#[derive(Clone)]
pub(super) struct Shared {
    pool: deadpool_redis::Pool,
    prefix: String,
}

impl Shared {
    pub(super) fn new(pool: deadpool_redis::Pool, namespace: &str) -> Shared {
        Shared {
            pool,
            prefix: format!("{namespace}:limit"),
        }
    }

    fn key(&self, name: &str, key: &str) -> String {
        if key.len() <= MAX_KEY {
            format!("{}:{name}:{key}", self.prefix)
        } else {
            let digest = Sha256::digest(key.as_bytes());
            format!("{}:{name}:#{}", self.prefix, crate::security::hex(&digest))
        }
    }

    /// The limit's answer, or the Redis error that kept it from answering.
    pub(super) async fn update(
        &self,
        name: &str,
        key: &str,
        limit: u32,
        window: Duration,
        count: u32,
    ) -> Result<Result<(), u64>, String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        let (allowed, ttl_ms): (i64, i64) = redis::cmd("EVAL")
            .arg(SCRIPT)
            .arg(1)
            .arg(self.key(name, key))
            .arg(limit)
            .arg(window.as_millis() as u64)
            .arg(count)
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        if allowed == 1 {
            return Ok(Ok(()));
        }
        // PTTL is negative for a key without expiry (cannot happen: the
        // script sets it with the first count); then wait a whole window.
        let ttl = if ttl_ms > 0 {
            Duration::from_millis(ttl_ms as u64)
        } else {
            window
        };
        Ok(Err(ttl.as_secs_f64().ceil() as u64))
    }

    /// Takes back one count of `key` (see [`super::Window::release`]).
    pub(super) async fn release(&self, name: &str, key: &str) -> Result<(), String> {
        let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
        let _: i64 = redis::cmd("EVAL")
            .arg(RELEASE)
            .arg(1)
            .arg(self.key(name, key))
            .query_async(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
