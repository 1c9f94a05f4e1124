//! SQLite WAL checkpoints off the writer's commits. With the default
//! `wal_autocheckpoint`, whichever connection's commit pushes the WAL past
//! 1000 pages copies all of it back into the database file and fsyncs that
//! inside its commit: under load the history writer, so every few batches
//! one batch's acknowledgements waited for a whole checkpoint (issue 12).
//! Now a thread of the pool does the copying, on a connection of its own:
//!
//! - every `period`, `PASSIVE`: copies what it can without waiting for or
//!   blocking anyone. When it copied everything before the writer's next
//!   transaction, that transaction starts the WAL over from its beginning;
//! - when nothing was written since the last look, `TRUNCATE`: an idle
//!   server gives the WAL's disk space back.
//!
//! A writer that never pauses leaves no moment at which everything is
//! copied, so the WAL would grow without end. The bound stays with the
//! writers: pool connections checkpoint automatically only past
//! `limit_pages` (not 1000), and by then the thread has copied nearly all
//! of it, so that checkpoint is a short catch-up after which the WAL
//! starts over. (A `RESTART` from this thread cannot bound it instead: it
//! must take the write lock between two of the writer's transactions,
//! which SQLite's polling busy handler rarely catches.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::SqliteConnection;

use super::DbError;

/// When the checkpointer looks and how far the WAL may grow.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub period: Duration,
    /// WAL size (pages) past which a writer's commit catches up itself.
    pub limit_pages: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        // 4 KiB pages: 32 MiB of WAL at most, give or take a batch.
        Policy {
            period: Duration::from_millis(100),
            limit_pages: 8192,
        }
    }
}

/// How a checkpoint went, as `PRAGMA wal_checkpoint` answers.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Outcome {
    /// 1 when it could not finish (a `RESTART` that timed out waiting).
    #[diesel(sql_type = BigInt)]
    pub busy: i64,
    /// Pages in the WAL.
    #[diesel(sql_type = BigInt)]
    pub log: i64,
    /// Of those, pages copied into the database file.
    #[diesel(sql_type = BigInt)]
    pub checkpointed: i64,
}

/// Runs one checkpoint of the given mode on `conn`.
pub fn run(conn: &mut SqliteConnection, mode: &str) -> Result<Outcome, DbError> {
    Ok(diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})")).get_result(conn)?)
}

/// Counts, for tests and logs.
#[derive(Debug, Default)]
pub struct Stats {
    pub passive: AtomicU64,
    /// Pages the passive checkpoints found copied when they finished.
    pub copied: AtomicU64,
    pub truncates: AtomicU64,
    /// The largest WAL (pages) seen.
    pub largest: AtomicU64,
}

/// The running thread; stopped (and joined) when dropped, i.e. when the
/// last clone of the pool that owns it goes.
pub struct Checkpointer {
    stop: Mutex<Option<mpsc::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    pub stats: Arc<Stats>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (already in WAL mode).
    pub fn start(path: &str, policy: Policy) -> Result<Checkpointer, DbError> {
        let mut conn = SqliteConnection::establish(path)?;
        // TRUNCATE waits for readers (only when idle), briefly.
        conn.batch_execute("PRAGMA busy_timeout = 250;")?;
        let (tx, rx) = mpsc::channel::<()>();
        let stats = Arc::new(Stats::default());
        let counts = stats.clone();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || run_loop(&mut conn, &rx, policy, &counts))
            .map_err(|e| DbError::Io(format!("checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            stats,
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread, which then ends.
        if let Ok(mut stop) = self.stop.lock() {
            stop.take();
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
    }
}

fn run_loop(conn: &mut SqliteConnection, stop: &mpsc::Receiver<()>, policy: Policy, stats: &Stats) {
    let mut last_log = 0;
    loop {
        match stop.recv_timeout(policy.period) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        match step(conn, last_log, stats) {
            Ok(log) => last_log = log,
            Err(e) => log::warn!("WAL checkpoint failed: {e}"),
        }
    }
}

/// One look: returns the WAL's size (pages) as it left it.
fn step(conn: &mut SqliteConnection, last_log: i64, stats: &Stats) -> Result<i64, DbError> {
    let passive = run(conn, "PASSIVE")?;
    stats.passive.fetch_add(1, Ordering::Relaxed);
    stats
        .copied
        .fetch_add(passive.checkpointed.max(0) as u64, Ordering::Relaxed);
    stats
        .largest
        .fetch_max(passive.log.max(0) as u64, Ordering::Relaxed);
    // Nothing written since the last look, and something to give back.
    if passive.log > 0 && passive.log == last_log && passive.checkpointed == passive.log {
        let truncate = run(conn, "TRUNCATE")?;
        if truncate.busy == 0 {
            stats.truncates.fetch_add(1, Ordering::Relaxed);
            return Ok(0);
        }
    }
    Ok(passive.log)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::db::{connect_with, DbConn};

    fn wal_bytes(path: &std::path::Path) -> u64 {
        let wal = format!("{}-wal", path.display());
        std::fs::metadata(wal).map_or(0, |m| m.len())
    }

    /// The WAL header's checkpoint sequence number (bytes 12..16, big
    /// endian): SQLite bumps it each time the WAL starts over from its
    /// beginning.
    fn wal_sequence(path: &std::path::Path) -> Option<u32> {
        use std::io::Read;
        let mut header = [0u8; 16];
        let mut file = std::fs::File::open(format!("{}-wal", path.display())).ok()?;
        file.read_exact(&mut header).ok()?;
        Some(u32::from_be_bytes([
            header[12], header[13], header[14], header[15],
        ]))
    }

    /// A writer that never pauses leaves PASSIVE no moment at which the
    /// whole WAL is copied; without the writers' bound the file would grow
    /// by everything written. With it, the WAL keeps starting over while
    /// the thread does the copying, and once the writes stop the WAL file
    /// is given back.
    ///
    /// How large the WAL gets depends on scheduling, not only on the
    /// bound: while the thread is inside a checkpoint (its fsync on a busy
    /// disk, or descheduled on a loaded machine) it holds the checkpoint
    /// lock, the writer's own catch-up finds it busy, and the writer keeps
    /// appending. So the test does not assert an absolute size; it writes
    /// until what went through the WAL is many times the largest the WAL
    /// ever was (at least 12 MiB, within a generous deadline). A WAL that
    /// grows with what is written can never get there.
    #[test]
    fn the_checkpointer_keeps_the_wal_bounded_under_sustained_writes() {
        const BOUND: i64 = 256;
        const TIMES: u64 = 8;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let policy = Policy {
            period: Duration::from_millis(20),
            limit_pages: BOUND,
        };
        let url = format!("sqlite://{}", path.display());
        let pool = connect_with(&url, 2, policy).unwrap();
        let mut conn = pool.get().unwrap();
        let DbConn::Sqlite(lite) = &mut *conn else {
            unreachable!()
        };
        #[derive(QueryableByName)]
        struct Auto {
            #[diesel(sql_type = BigInt)]
            wal_autocheckpoint: i64,
        }
        let auto: Auto = diesel::sql_query("PRAGMA wal_autocheckpoint")
            .get_result(lite)
            .unwrap();
        assert_eq!(
            auto.wal_autocheckpoint, BOUND,
            "pool connections only catch up"
        );
        lite.batch_execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
            .unwrap();
        let (mut largest, mut written, mut restarts) = (0, 0u64, 0u32);
        let mut sequence = wal_sequence(&path);
        let started = Instant::now();
        let deadline = Duration::from_secs(60);
        // Each transaction rewrites 4 rows of 3 KiB spread over the table.
        let mut k: i64 = 0;
        while (written < 3_000 * 4096 || written < TIMES * largest) && started.elapsed() < deadline
        {
            let mut sql = String::from("BEGIN;");
            for _ in 0..4 {
                k = (k * 7919 + 13) % 4000;
                sql.push_str(&format!(
                    "INSERT OR REPLACE INTO t VALUES ({k}, randomblob(3000));"
                ));
            }
            sql.push_str("COMMIT;");
            lite.batch_execute(&sql).unwrap();
            written += 4 * 4096;
            largest = largest.max(wal_bytes(&path));
            let now = wal_sequence(&path);
            if now.is_some() && now != sequence {
                restarts += 1;
                sequence = now;
            }
        }
        let stats = pool.checkpoints().expect("SQLite has a checkpointer");
        assert!(stats.passive.load(Ordering::Relaxed) > 0);
        assert!(
            stats.copied.load(Ordering::Relaxed) > 0,
            "the thread copies"
        );
        assert!(
            written >= TIMES * largest,
            "the WAL grew to {largest} bytes of {written} written in {:?} \
             ({restarts} restarts)",
            started.elapsed()
        );
        // What was written went through WALs of at most `largest` bytes
        // each, so the WAL started over about `written / largest` times
        // (half that, to leave frame headers and rounding out of it).
        assert!(
            u64::from(restarts) >= written / largest.max(1) / 2,
            "the WAL started over only {restarts} times for {written} bytes \
             written (largest {largest})"
        );
        // Idle now: the WAL is copied and its file truncated. (The file is
        // empty a moment before the thread counts its TRUNCATE.)
        let waited = Instant::now();
        while (wal_bytes(&path) > 0 || stats.truncates.load(Ordering::Relaxed) == 0)
            && waited.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(wal_bytes(&path), 0, "an idle database gives the WAL back");
        assert!(stats.truncates.load(Ordering::Relaxed) > 0);
    }
}
