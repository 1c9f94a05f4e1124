//! Persistence: one module per entity, plain functions on a connection.
//! Nothing here is async; callers run these on actor threads or a blocking pool.

pub mod attachments;
pub mod blocks;
pub mod cascade;
pub mod changes;
pub mod chats;
pub mod checkpoint;
pub mod error;
pub mod full;
pub mod history;
pub mod invites;
pub mod members;
pub mod mentions;
pub mod messages;
pub mod permissions;
mod pool;
pub mod reactions;
pub mod refresh_tokens;
pub mod reset_tokens;
pub mod schema;
pub mod search;
pub mod settings;
pub mod uploads;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use error::DbError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend the database URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same expression against the concrete connection, for the few
/// queries (RETURNING, upserts) the common multi-backend subset cannot express.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

pub use pool::{DbPool, PooledConn};

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite://") || url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }
}

/// Opens connections by scheme instead of letting the derive try each backend
/// in turn: SQLite accepts any string as a path and would swallow typos.
#[derive(Debug)]
struct Setup {
    backend: Backend,
    checkpoints: checkpoint::Policy,
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Setup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if self.backend == Backend::Sqlite {
            // Every pooled connection needs these, or concurrent writers see
            // "database is locked" and foreign-key cascades silently do nothing.
            // synchronous = FULL: an acknowledged message must survive a crash,
            // and group commit pays the fsync once per batch, not per message.
            // busy_timeout first: switching a new connection to WAL needs a
            // lock too, and the pool opens several connections at once.
            // Automatic checkpoints only as the WAL's bound: they run inside
            // a commit (the writer's, under load); the pool's checkpointer
            // thread does the copying (see `checkpoint`). journal_size_limit:
            // the WAL file shrinks back to that when a writer starts it over.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA wal_autocheckpoint = {}; PRAGMA journal_size_limit = {};",
                self.checkpoints.limit_pages,
                self.checkpoints.limit_pages * 4096
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The database file (and its `-wal`/`-shm`, which SQLite creates with the
/// file's own mode) readable by its owner only: it holds the generated JWT
/// secret and the file-URL key. Created so when missing, tightened when not.
fn owner_only(path: &str) -> Result<(), DbError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path.starts_with(':') || path.starts_with("file:") {
        return Ok(()); // In memory, or a URI we leave to SQLite.
    }
    let io = |e: std::io::Error| DbError::Io(format!("{path}: {e}"));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{path}{suffix}");
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        if meta.permissions().mode() & 0o077 != 0 {
            log::warn!("{file} was readable by others: now 0600");
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    Ok(())
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Runs `f` in a transaction that may write. On SQLite it starts with
/// `BEGIN IMMEDIATE`, taking the write lock up front: a deferred transaction
/// that reads first and then writes cannot wait for the lock (its snapshot
/// may be stale) and fails at once with "database is locked" whenever
/// another connection wrote in between — seen as a send refused with
/// `internal` while a read marker was being stored. Waiting up front lets
/// `busy_timeout` apply. PostgreSQL: a plain transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(lite) = conn else {
        return conn.transaction(f);
    };
    // Nested (e.g. a member removal inside an account deletion): the outer
    // transaction holds the lock already; a savepoint is all that is needed.
    let status = AnsiTransactionManager::transaction_manager_status_mut(lite);
    if status.transaction_depth()?.is_some() {
        return conn.transaction(f);
    }
    AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
    let outcome = f(conn);
    let DbConn::Sqlite(lite) = conn else {
        unreachable!("the connection does not change backend");
    };
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(lite)?;
            Ok(value)
        }
        Err(e) => match AnsiTransactionManager::rollback_transaction(lite) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Opens one connection outside any pool (migrations, admin commands).
pub fn establish(url: &str) -> Result<DbConn, DbError> {
    match Backend::from_url(url) {
        Some(Backend::Postgres) => Ok(DbConn::Pg(PgConnection::establish(url)?)),
        Some(Backend::Sqlite) => {
            let mut conn = SqliteConnection::establish(sqlite_path(url))?;
            conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")?;
            Ok(DbConn::Sqlite(conn))
        }
        None => Err(DbError::BadUrl),
    }
}

/// How long a caller waits for a pooled connection. With the database
/// unreachable every request waits this long and then fails with 503, so it
/// is short: a healthy pool hands out connections in microseconds, and one
/// that has none free for 2 s is overloaded anyway.
const POOL_WAIT: Duration = Duration::from_secs(2);

/// Builds the pool and checks that the database answers.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DbError> {
    connect_with(url, max_size, checkpoint::Policy::default())
}

/// [`connect`] with the SQLite checkpointer's policy given (tests).
pub fn connect_with(
    url: &str,
    max_size: u32,
    checkpoints: checkpoint::Policy,
) -> Result<DbPool, DbError> {
    let backend = Backend::from_url(url).ok_or(DbError::BadUrl)?;
    let target = match backend {
        Backend::Postgres => url.to_owned(),
        Backend::Sqlite => sqlite_path(url).to_owned(),
    };
    let mut checkpointer = None;
    if backend == Backend::Sqlite {
        owner_only(&target)?;
        // WAL is a property of the file: switch it once, alone, before the
        // pool opens its connections at once (the switch takes a lock that a
        // busy pool connection would otherwise be refused).
        let mode: Vec<JournalMode> = diesel::sql_query("PRAGMA journal_mode = WAL;")
            .load(&mut SqliteConnection::establish(&target)?)?;
        // An in-memory database has no WAL to checkpoint.
        if mode.first().is_some_and(|m| m.journal_mode == "wal") {
            checkpointer = Some(checkpoint::Checkpointer::start(&target, checkpoints)?);
        }
    }
    let manager = ConnectionManager::<DbConn>::new(target);
    let pool = Pool::builder()
        .max_size(max_size)
        .connection_timeout(POOL_WAIT)
        .connection_customizer(Box::new(Setup {
            backend,
            checkpoints,
        }))
        .build(manager)?;
    Ok(DbPool::new(pool, checkpointer))
}

#[derive(diesel::QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

/// Applies pending embedded migrations for the connection's backend.
pub fn migrate(conn: &mut DbConn) -> Result<usize, DbError> {
    let applied = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.len())
}

/// The current time as stored: UTC, without a zone.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A stored time as the UTC instant it is.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

/// `SELECT 1`, for readiness probes.
pub fn ping(conn: &mut DbConn) -> Result<(), DbError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}
