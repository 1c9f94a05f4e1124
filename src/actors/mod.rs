//! Actors: the accounts actor (sign-in, tokens, account administration),
//! the chat store, the history writer (group commit), one room per active
//! chat, one session per WebSocket, and the hub that knows who is
//! connected. HTTP handlers talk to these, and these to `db`.
//!
//! What several actors exchange lives in modules of its own that import no
//! actor (`post`, `delivery`, `outbox`, `bus::event`), so no two actor
//! modules import each other (`tests/architecture.rs` checks it).

pub mod accounts;
pub mod announce;
mod batch;
pub mod block_book;
pub mod bus;
pub mod caps;
pub mod change;
pub mod chats;
pub mod delivery;
pub mod error;
pub mod history;
pub mod hub;
mod instances;
pub mod lookups;
pub mod messages;
pub mod outbox;
pub mod post;
mod presence;
mod recent;
pub mod room;
pub mod rooms;
pub mod scopes;
pub mod send_budget;
pub mod services;
pub mod socket;
pub mod uploads;
pub mod ws_session;

pub use error::{ServiceError, ServiceResult};
pub use services::{Services, WsLimits};
