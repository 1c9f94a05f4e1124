//! Token buckets: one per user for sends (WebSocket and REST together, so
//! more sessions do not mean more sends), and one per session for frames.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::domain::UserId;

/// A token bucket refilled at `rate` per second up to `burst`.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    pub fn full(burst: u32) -> Bucket {
        Bucket {
            tokens: f64::from(burst),
            updated: Instant::now(),
        }
    }

    /// Takes one token; `Err(seconds)` until one is earned.
    pub fn take(&mut self, rate: u32, burst: u32) -> Result<(), u64> {
        let now = Instant::now();
        let earned = now.duration_since(self.updated).as_secs_f64() * f64::from(rate);
        self.tokens = (self.tokens + earned).min(f64::from(burst));
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - self.tokens) / f64::from(rate)).ceil().max(1.0) as u64)
        }
    }
}

/// Send buckets per user, in this process (a user's sessions on other
/// instances have buckets there).
pub struct SendBudgets {
    rate: u32,
    burst: u32,
    users: Mutex<HashMap<UserId, Bucket>>,
}

impl SendBudgets {
    pub fn new(rate: u32, burst: u32) -> SendBudgets {
        SendBudgets {
            rate,
            burst,
            users: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one send of `user`'s budget; `Err(seconds)` when it is empty.
    pub fn spend(&self, user: UserId) -> Result<(), u64> {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if users.len() > 10_000 {
            // Buckets refilled to the brim are the same as none.
            let full = f64::from(self.burst) / f64::from(self.rate);
            users.retain(|_, b| b.updated.elapsed().as_secs_f64() < full);
        }
        users
            .entry(user)
            .or_insert_with(|| Bucket::full(self.burst))
            .take(self.rate, self.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_with_a_wait() {
        let mut bucket = Bucket::full(2);
        assert!(bucket.take(1, 2).is_ok());
        assert!(bucket.take(1, 2).is_ok());
        assert_eq!(bucket.take(1, 2), Err(1));
        let budgets = SendBudgets::new(1, 1);
        assert!(budgets.spend(UserId(1)).is_ok());
        assert!(budgets.spend(UserId(1)).is_err());
        assert!(budgets.spend(UserId(2)).is_ok(), "per user");
    }
}
