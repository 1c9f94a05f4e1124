//! The connection pool, behind a circuit breaker: once the database could
//! not be reached, callers are refused at once for a moment instead of each
//! waiting out the pool's timeout, so requests fail fast (503) while it is
//! away; one caller at a time probes, and the first success closes the
//! breaker again. The pool replaces dead connections by itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};

use super::checkpoint::{Checkpointer, Stats};
use super::{DbConn, DbError};

/// How long the breaker refuses callers after a failure before letting one
/// through to try again.
const COOL_DOWN: Duration = Duration::from_secs(1);

pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

#[derive(Clone)]
pub struct DbPool {
    inner: Pool<ConnectionManager<DbConn>>,
    breaker: Arc<Breaker>,
    /// SQLite: the WAL checkpointer, which lives as long as the pool.
    checkpointer: Option<Arc<Checkpointer>>,
}

impl DbPool {
    pub(super) fn new(
        inner: Pool<ConnectionManager<DbConn>>,
        checkpointer: Option<Checkpointer>,
    ) -> DbPool {
        DbPool {
            inner,
            breaker: Arc::new(Breaker::new()),
            checkpointer: checkpointer.map(Arc::new),
        }
    }

    /// What the WAL checkpointer did so far (SQLite only).
    pub fn checkpoints(&self) -> Option<&Stats> {
        self.checkpointer.as_deref().map(|c| &*c.stats)
    }

    /// A connection, or [`DbError::Unavailable`] at once while the breaker
    /// is open.
    pub fn get(&self) -> Result<PooledConn, DbError> {
        if !self.breaker.admit() {
            return Err(DbError::Unavailable);
        }
        match self.inner.get() {
            Ok(conn) => {
                self.breaker.succeeded();
                Ok(conn)
            }
            Err(e) => {
                self.breaker.failed();
                Err(e.into())
            }
        }
    }
}

/// Open (refusing) since `tripped`, a time in ms since `epoch`; 0 = closed.
struct Breaker {
    epoch: Instant,
    tripped: AtomicU64,
}

impl Breaker {
    fn new() -> Breaker {
        Breaker {
            epoch: Instant::now(),
            tripped: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        // +1: 0 means closed.
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    /// Closed: everyone passes. Open: refused until the cool-down is over,
    /// then the one caller that moves the trip time forward probes.
    fn admit(&self) -> bool {
        let tripped = self.tripped.load(Ordering::Acquire);
        if tripped == 0 {
            return true;
        }
        let now = self.now();
        now.saturating_sub(tripped) >= COOL_DOWN.as_millis() as u64
            && self
                .tripped
                .compare_exchange(tripped, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    fn failed(&self) {
        let now = self.now();
        if self.tripped.swap(now, Ordering::AcqRel) == 0 {
            log::error!("database unreachable: refusing requests for {COOL_DOWN:?} at a time until it answers");
        }
    }

    fn succeeded(&self) {
        if self.tripped.swap(0, Ordering::AcqRel) != 0 {
            log::info!("database reachable again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_breaker_lets_one_probe_through_after_the_cool_down() {
        let b = Breaker::new();
        assert!(b.admit());
        b.failed();
        assert!(!b.admit(), "refused at once");
        // Pretend the failure happened a cool-down ago.
        b.tripped.store(1, Ordering::Release);
        std::thread::sleep(COOL_DOWN + Duration::from_millis(5));
        assert!(b.admit(), "one probe");
        assert!(!b.admit(), "only one");
        b.succeeded();
        assert!(b.admit() && b.admit(), "closed again");
    }
}
