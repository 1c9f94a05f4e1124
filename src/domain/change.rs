//! A change to a stored message, as the HTTP layer asks for it and the
//! history writer applies it.

use super::{ChatId, MessageId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new body, already parsed as a `MessageBody`.
    Edit {
        body: String,
    },
    Delete,
    /// Add (`true`) or remove the actor's reaction with a parsed `Emoji`.
    React {
        emoji: String,
        add: bool,
    },
}

#[derive(Debug, Clone)]
pub struct ChangeRequest {
    pub chat_id: ChatId,
    pub message_id: MessageId,
    pub actor: UserId,
    /// A site admin may delete any message of any chat.
    pub actor_is_admin: bool,
    pub change: Change,
}
