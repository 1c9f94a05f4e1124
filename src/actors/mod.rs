//! Actors: the auth actor (accounts, tokens, access checks), the chat store,
//! the history writer (group commit), one room per active chat, one session
//! per WebSocket, and the hub that knows who is connected. HTTP handlers talk
//! to these, and these to `db`.

pub mod auth;
pub mod bus;
pub mod chats;
pub mod error;
pub mod history;
pub mod hub;
mod presence;
pub mod room;
pub mod rooms;
pub mod services;
pub mod session;
pub mod uploads;

pub use error::{ServiceError, ServiceResult};
pub use services::{Services, WsLimits};
