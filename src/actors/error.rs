use crate::db::DbError;
use crate::protocol::ErrorCode;

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
    /// A `403` that says why in `details.reason` (reason, message).
    #[error("{1}")]
    Refused(&'static str, &'static str),
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
    /// Usernames that do not exist (chat create / add member).
    #[error("unknown users: {}", .0.join(", "))]
    UnknownUsers(Vec<String>),
    #[error("too many requests")]
    RateLimited(u64),
    /// An upload over the size limit; says the limit.
    #[error("{0}")]
    TooLarge(String),
    /// The caller's stored uploads would pass the upload quota.
    #[error("upload quota exceeded")]
    QuotaExceeded,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Db(e.into())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// The contract's error code for this failure (HTTP body and WebSocket
    /// `error` frames alike).
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::InvalidCredentials | ServiceError::Unauthorized(_) => {
                ErrorCode::Unauthorized
            }
            ServiceError::Forbidden(_)
            | ServiceError::Refused(..)
            | ServiceError::QuotaExceeded => ErrorCode::Forbidden,
            ServiceError::TooLarge(_) => ErrorCode::PayloadTooLarge,
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::Conflict(_) => ErrorCode::Conflict,
            ServiceError::BadRequest(_) => ErrorCode::BadRequest,
            ServiceError::Invalid(..) => ErrorCode::ValidationFailed,
            ServiceError::UnknownUsers(_) => ErrorCode::UnknownUsers,
            ServiceError::RateLimited(_) => ErrorCode::RateLimited,
            ServiceError::Db(_) | ServiceError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What a client may be told: internals are never included.
    pub fn public_message(&self) -> String {
        match self {
            ServiceError::Db(_) | ServiceError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }
}
