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
        self.update(key, 1)
    }

    /// Counts `n` events, or none when they would pass the limit.
    pub fn hit_many(&self, key: &str, n: u32) -> Result<(), u64> {
        self.update(key, n)
    }

    /// Like [`hit`](Self::hit) without counting: is `key` already over the
    /// limit? Never adds an entry.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(key) {
            Some(&(start, count)) => self.verdict(now, start, count),
            None => Ok(()),
        }
    }

    /// Takes back one [`hit`](Self::hit) of the current window: an attempt
    /// reserved before it was checked turned out not to count (a right
    /// password).
    pub fn release(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = windows.get_mut(key) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    fn verdict(&self, now: Instant, start: Instant, count: u32) -> Result<(), u64> {
        if now.duration_since(start) < self.window && count >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(start));
            return Err(left.as_secs_f64().ceil() as u64);
        }
        Ok(())
    }

    fn update(&self, key: &str, count: u32) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 50_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        self.verdict(now, entry.0, entry.1)?;
        if entry.1.saturating_add(count) > self.limit {
            return self.verdict(now, entry.0, self.limit);
        }
        entry.1 += count;
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
    fn check_never_adds_an_entry_and_release_gives_a_hit_back() {
        let rl = RateLimiter::new(1, Duration::from_secs(60));
        for n in 0..100 {
            assert!(rl.check(&format!("probe {n}")).is_ok());
        }
        assert_eq!(rl.windows.lock().unwrap().len(), 0);
        assert!(rl.hit("a").is_ok());
        assert!(rl.hit("a").is_err());
        rl.release("a");
        assert!(rl.hit("a").is_ok());
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
