//! Why a frame was refused: the contract's code and a message for the
//! client's `error` frame (the session stays open).

use crate::actors::ServiceError;
use crate::protocol::ErrorCode;

pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

impl From<ServiceError> for Refusal {
    fn from(e: ServiceError) -> Refusal {
        if let ServiceError::Db(_) | ServiceError::Internal(_) = &e {
            log::error!("websocket frame failed: {e}");
        }
        Refusal::new(e.code(), e.public_message())
    }
}
