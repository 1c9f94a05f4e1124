//! The wire format, in one place: the frames clients and the server
//! exchange over a WebSocket, the objects REST answers and frames carry,
//! the error codes and the close codes of `docs/API.md`. Nothing outside
//! this module spells a frame, an object's JSON or an error code.

mod client;
pub mod close;
mod error_code;
mod people;
pub mod reason;
mod server;
mod uploads;
mod views;

pub use client::{ClientFrame, Incoming, SyncAfter, PRESENCE_QUERY_MAX};
pub use error_code::ErrorCode;
pub use people::{InviteJson, PolicyJson, ResetLinkJson};
pub use server::{MessageJson, ServerFrame};
pub use uploads::{Attachment, Upload};
pub use views::{
    avatar_url, timestamp, Chat, ErrorJson, LoginJson, MemberView, Message, Reaction, ReplyTo,
    SearchHit, Sender, UserJson,
};
