//! What instances tell each other.

use serde::{Deserialize, Serialize};

use crate::domain::{ChatId, UserId};

/// Something that happened on one instance that the others must apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A frame for the sessions attached to a chat's room.
    Chat {
        chat_id: ChatId,
        frame: String,
        except_user: Option<UserId>,
        members_only: bool,
    },
    /// The chat was deleted.
    ChatClosed { chat_id: ChatId },
    /// A user became a member (`frame` is the `chat_added` frame).
    Joined {
        user_id: UserId,
        chat_id: ChatId,
        frame: String,
    },
    /// A user stopped being a member (`frame` is the `chat_removed` frame).
    Left {
        user_id: UserId,
        chat_id: ChatId,
        frame: String,
    },
    /// Close every session of the user with `code`.
    CloseUser { user_id: UserId, code: u16 },
    /// The user's role or existence changed: drop cached access checks.
    Invalidate { user_id: UserId },
    /// Everyone `user_id` blocks now (replaces the earlier list).
    Blocks {
        user_id: UserId,
        blocked: Vec<UserId>,
    },
}

/// An event on the wire between instances, stamped with its instance.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Envelope {
    pub origin: String,
    pub event: Event,
}
