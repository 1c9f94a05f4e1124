//! Fixed-window counters per key in this process: each instance limits
//! what it sees (the fallback when Redis is absent or does not answer).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; `Err(seconds)` when over the limit, with
    /// how long until the window resets.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        self.update(key, true)
    }

    /// Like [`hit`](Self::hit) without counting: is `key` already over the limit?
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.update(key, false)
    }

    fn update(&self, key: &str, count: bool) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 50_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs_f64().ceil() as u64);
        }
        if count {
            entry.1 += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_limit_then_refuses_with_retry_after() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        assert!(rl.hit("a").is_ok());
        assert!(rl.check("a").is_ok());
        assert!(rl.hit("a").is_ok());
        let retry = rl.hit("a").unwrap_err();
        assert!((59..=60).contains(&retry));
        assert!(rl.check("a").is_err());
        assert!(rl.hit("b").is_ok(), "keys are independent");
    }

    #[test]
    fn window_resets() {
        let rl = RateLimiter::new(1, Duration::from_millis(20));
        assert!(rl.hit("a").is_ok());
        assert!(rl.hit("a").is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(rl.hit("a").is_ok());
    }
}
