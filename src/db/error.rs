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
