//! Stored messages as the contract shows them, for the chat store's reads
//! and the history writer's outcomes alike.

use crate::db::messages::MessageWithSender;
use crate::db::utc;
use crate::protocol::{Message, Sender};

pub fn to_message((row, username): MessageWithSender) -> Message {
    Message {
        id: row.id,
        chat_id: row.chat_id,
        sender: Sender {
            id: row.sender_id,
            username,
        },
        body: row.body,
        client_id: row.client_id,
        created_at: utc(row.created_at),
    }
}
