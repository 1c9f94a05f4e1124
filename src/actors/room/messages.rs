//! What a room is told: sessions attaching and leaving, frames to pass on,
//! messages from other instances, the chat's deletion.

use actix::prelude::*;
use bytestring::ByteString;

use crate::actors::delivery::SessionHandle;
use crate::domain::{MessageId, UserId};

/// Attach a session: as a member, or as a follower of a public chat.
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct Attach {
    pub session: SessionHandle,
    pub user_id: UserId,
    pub member: bool,
}

/// Detach a session; `follower_only` keeps it if attached as a member.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Detach {
    pub session_id: u64,
    pub follower_only: bool,
}

/// Detach every session of a user who left or was removed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DetachUser {
    pub user_id: UserId,
}

/// Pass a frame to every attached session except those of `except_user`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Broadcast {
    pub frame: ByteString,
    pub except_user: Option<UserId>,
    pub members_only: bool,
    /// Came from another instance over the bus: deliver, do not republish.
    pub remote: bool,
}

/// A message committed on another instance, from the bus.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RemoteMessage {
    pub id: MessageId,
    pub frame: ByteString,
}

/// Messages stored while the bus was down, oldest first: each not yet
/// delivered here goes to every attached session. Answers how many did.
#[derive(Message)]
#[rtype(result = "u64")]
pub struct Replay(pub Vec<(MessageId, ByteString)>);

/// The chat was deleted: tell followers, then stop.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Close {
    /// Came from another instance over the bus.
    pub remote: bool,
}
