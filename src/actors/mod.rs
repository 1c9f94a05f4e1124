//! Actors: the accounts actor (sign-in, tokens, account administration), the chat store,
//! the history writer (group commit), one room per active chat, one session
//! per WebSocket, and the hub that knows who is connected. HTTP handlers talk
//! to these, and these to `db`.

pub mod accounts;
pub mod bus;
pub mod chats;
pub mod error;
pub mod history;
pub mod hub;
mod presence;
pub mod room;
pub mod rooms;
pub mod services;
pub mod ws_session;

pub use error::{ServiceError, ServiceResult};
pub use services::{Services, WsLimits};
