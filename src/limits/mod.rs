//! Rate limits that hold across instances: fixed-window counters kept in
//! Redis when it is configured, so N instances behind a load balancer do not
//! multiply a limit by N, and in process otherwise (or while Redis does not
//! answer: each instance then limits what it sees, rather than not at all).
//!
//! The interface is one type, [`Window`]: `hit` counts an event for a key
//! and refuses it over the limit, `check` only asks. Whoever needs a new
//! limit asks [`Limits::window`] for one; where the counters live is
//! decided once, at start-up.

mod local;
mod shared;

use std::time::Duration;

pub use local::RateLimiter;
use shared::Shared;

/// Where counters live: this process, or a Redis every instance shares.
#[derive(Clone, Default)]
pub struct Limits {
    shared: Option<Shared>,
}

impl Limits {
    /// Counters in this process only.
    pub fn local() -> Limits {
        Limits::default()
    }

    /// Counters in Redis under `namespace` (the deployment's Redis prefix).
    pub fn shared(pool: deadpool_redis::Pool, namespace: &str) -> Limits {
        Limits {
            shared: Some(Shared::new(pool, namespace)),
        }
    }

    /// A limit of `limit` events per key per `window`; `name` keeps its
    /// counters apart from other limits'.
    pub fn window(&self, name: &'static str, limit: u32, window: Duration) -> Window {
        Window {
            name,
            limit,
            window,
            local: RateLimiter::new(limit, window),
            shared: self.shared.clone(),
        }
    }
}

/// One fixed-window limit.
pub struct Window {
    name: &'static str,
    limit: u32,
    window: Duration,
    /// Used without Redis, and while Redis does not answer.
    local: RateLimiter,
    shared: Option<Shared>,
}

impl Window {
    /// Counts one event for `key`; `Err(seconds)` when over the limit, with
    /// how long until the window resets. Refused events are not counted.
    pub async fn hit(&self, key: &str) -> Result<(), u64> {
        self.update(key, 1).await
    }

    /// Counts `n` events at once (e.g. the members named when creating a
    /// chat): all of them, or none when they would pass the limit.
    pub async fn hit_many(&self, key: &str, n: u32) -> Result<(), u64> {
        self.update(key, n).await
    }

    /// Like [`hit`](Self::hit) without counting: is `key` already over the limit?
    pub async fn check(&self, key: &str) -> Result<(), u64> {
        self.update(key, 0).await
    }

    /// Takes back one [`hit`](Self::hit) of `key` in the current window:
    /// an attempt reserved before it was checked turned out not to count.
    pub async fn release(&self, key: &str) {
        if let Some(shared) = &self.shared {
            match shared.release(self.name, key).await {
                Ok(()) => return,
                Err(e) => log::warn!("shared rate limit unavailable, releasing locally: {e}"),
            }
        }
        self.local.release(key);
    }

    async fn update(&self, key: &str, count: u32) -> Result<(), u64> {
        if let Some(shared) = &self.shared {
            match shared
                .update(self.name, key, self.limit, self.window, count)
                .await
            {
                Ok(answer) => return answer,
                Err(e) => log::warn!("shared rate limit unavailable, counting locally: {e}"),
            }
        }
        if count > 0 {
            self.local.hit_many(key, count)
        } else {
            self.local.check(key)
        }
    }
}
