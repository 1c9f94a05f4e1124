//! Persistence: one module per entity, plain functions on a connection.
//! Nothing here is async; callers run these on actor threads or a blocking pool.

pub mod cascade;
pub mod chats;
pub mod error;
pub mod history;
pub mod members;
pub mod messages;
pub mod permissions;
pub mod refresh_tokens;
pub mod schema;
pub mod settings;
pub mod users;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
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

pub type DbPool = Pool<ConnectionManager<DbConn>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

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
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Setup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if self.backend == Backend::Sqlite {
            // Every pooled connection needs these, or concurrent writers see
            // "database is locked" and foreign-key cascades silently do nothing.
            // synchronous = FULL: an acknowledged message must survive a crash,
            // and group commit pays the fsync once per batch, not per message.
            conn.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
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

/// Builds the pool and checks that the database answers.
pub fn connect(url: &str, max_size: u32) -> Result<DbPool, DbError> {
    let backend = Backend::from_url(url).ok_or(DbError::BadUrl)?;
    let target = match backend {
        Backend::Postgres => url.to_owned(),
        Backend::Sqlite => sqlite_path(url).to_owned(),
    };
    let manager = ConnectionManager::<DbConn>::new(target);
    let pool = Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(Setup { backend }))
        .build(manager)?;
    Ok(pool)
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

/// `SELECT 1`, for readiness probes.
pub fn ping(conn: &mut DbConn) -> Result<(), DbError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}
