use crate::db::DbError;

/// Everything an actor can answer a request with instead of a result. The
/// HTTP layer maps each variant to the contract's status and code in one place.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Login with an unknown account or a wrong password: one message for both.
    #[error("invalid login or password")]
    InvalidCredentials,
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    /// A unique field already taken; names the field.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    #[error("{0}")]
    BadRequest(&'static str),
    /// A well-formed value the domain refuses: (field, reason).
    #[error("{1}")]
    Invalid(&'static str, &'static str),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;
