//! The contract's error codes: the only place each is spelled, with the HTTP
//! status it goes with. HTTP error bodies and WebSocket `error` frames both
//! carry these.

use actix_web::http::StatusCode;
use serde::{Serialize, Serializer};

/// The schema spells each code as `as_str` does (a unit test holds them together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON, wrong types, unknown enum values or frame types.
    BadRequest,
    /// Missing, bad, expired or revoked token.
    Unauthorized,
    /// Authenticated, but the role or chat membership does not allow it.
    Forbidden,
    /// No such thing, or the caller may not know it exists.
    NotFound,
    /// A username or email taken.
    Conflict,
    /// A body over 64 KiB.
    PayloadTooLarge,
    /// Well-formed but invalid values.
    ValidationFailed,
    /// Usernames that do not exist.
    UnknownUsers,
    RateLimited,
    /// Anything unexpected; never leaks internals.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of API.md's table.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::ValidationFailed,
        ErrorCode::UnknownUsers,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::UnknownUsers => "unknown_users",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status an answer with this code has.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::ValidationFailed | ErrorCode::UnknownUsers => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of API.md, row by row.
    #[test]
    fn codes_and_statuses_are_the_contracts() {
        use ErrorCode::*;
        let table: Vec<(u16, &str)> = [
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PayloadTooLarge,
            ValidationFailed,
            UnknownUsers,
            RateLimited,
            Internal,
        ]
        .iter()
        .map(|c| (c.status().as_u16(), c.as_str()))
        .collect();
        assert_eq!(
            table,
            [
                (400, "bad_request"),
                (401, "unauthorized"),
                (403, "forbidden"),
                (404, "not_found"),
                (409, "conflict"),
                (413, "payload_too_large"),
                (422, "validation_failed"),
                (422, "unknown_users"),
                (429, "rate_limited"),
                (500, "internal"),
            ]
        );
        assert_eq!(
            serde_json::to_string(&ErrorCode::NotFound).unwrap(),
            r#""not_found""#
        );
    }
}
