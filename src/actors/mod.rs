//! Actors: the auth actor (accounts, tokens, access checks) and, built on it,
//! the chat machinery. HTTP handlers talk to these, and these to `db`.

pub mod auth;
pub mod error;

pub use error::{ServiceError, ServiceResult};
