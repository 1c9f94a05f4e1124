//! What instances tell each other.

use serde::{Deserialize, Serialize};

use crate::domain::{ChatId, MessageId, UserId};

/// Something that happened on one instance that the others must apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A frame for the sessions attached to a chat's room.
    Chat {
        chat_id: ChatId,
        /// Set when the frame is a new message: rooms remember what they
        /// delivered, so a replay after a bus outage sends nothing twice.
        #[serde(default)]
        message_id: Option<MessageId>,
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
    /// Presence across instances (see `hub`): the user's first session on
    /// the origin instance opened; `chat_ids` are their chats.
    Online {
        user_id: UserId,
        chat_ids: Vec<ChatId>,
    },
    /// The user's last session on the origin instance closed (after the grace).
    Offline { user_id: UserId },
    /// The origin instance is alive; sent every second.
    Heartbeat,
    /// The origin instance (re)joined the bus: every instance answers with
    /// its roster.
    Hello,
    /// Everyone online on the origin instance, with their chats.
    Roster { users: Vec<(UserId, Vec<ChatId>)> },
    /// A chat's member count changed in what it means for presence (see
    /// `scopes`); capped just above `--presence-max-members`.
    ChatSize { chat_id: ChatId, members_count: i64 },
}

impl Event {
    /// Events about presence, which the hub applies knowing their origin.
    pub fn is_presence(&self) -> bool {
        matches!(
            self,
            Event::Online { .. }
                | Event::Offline { .. }
                | Event::Heartbeat
                | Event::Hello
                | Event::Roster { .. }
                | Event::ChatSize { .. }
        )
    }
}

/// An event on the wire between instances, stamped with its instance.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Envelope {
    pub origin: String,
    /// When it was published (Unix ms), for the bus lag metric.
    #[serde(default)]
    pub sent_ms: i64,
    pub event: Event,
}
