use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Everything the persistence layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL must start with sqlite:// or postgres://")]
    BadUrl,
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    #[error("row not found")]
    NotFound,
    #[error("query failed: {0}")]
    Query(DieselError),
    #[error("could not connect: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Refused without trying: the database failed to answer a moment ago.
    #[error("database unavailable")]
    Unavailable,
    /// A multi-row insert stored other rows than the batch expected.
    #[error("batch insert did not match the batch")]
    BatchMismatch,
    /// A stored value the code cannot read (e.g. an unknown role).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database file: {0}")]
    Io(String),
}

impl DbError {
    /// The database could not be reached (pool timed out, connection refused
    /// or lost), as opposed to a query it refused: worth a retry later.
    pub fn unavailable(&self) -> bool {
        match self {
            DbError::Pool(_) | DbError::Connect(_) | DbError::Unavailable => true,
            DbError::Query(DieselError::DatabaseError(kind, _)) => {
                matches!(
                    kind,
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand
                )
            }
            _ => false,
        }
    }
}

impl From<DieselError> for DbError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => DbError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::UniqueViolation(
                    info.constraint_name().unwrap_or(info.message()).to_owned(),
                )
            }
            other => DbError::Query(other),
        }
    }
}
