//! Stored messages as the contract shows them, for the chat store's reads
//! and the history writer's outcomes alike.

use crate::db::full::FullMessage;
use crate::db::utc;
use crate::protocol::{Message, Reaction, ReplyTo, Sender};

pub fn to_message(full: FullMessage) -> Message {
    let FullMessage {
        row,
        username,
        reactions,
        reply,
    } = full;
    Message {
        id: row.id,
        chat_id: row.chat_id,
        sender: Sender {
            id: row.sender_id,
            username,
        },
        mentions: row.mentions(),
        deleted: row.is_deleted(),
        body: row.body,
        client_id: row.client_id,
        created_at: utc(row.created_at),
        edited_at: row.edited_at.map(utc),
        reply_to: reply.map(|q| ReplyTo {
            id: q.id,
            sender: Sender {
                id: q.sender_id,
                username: q.username,
            },
            body: q.body,
            deleted: q.deleted,
        }),
        reactions: reactions
            .into_iter()
            .map(|r| Reaction {
                emoji: r.emoji,
                user_ids: r.user_ids,
            })
            .collect(),
        version: row.version,
    }
}

/// Rows as message objects, with their reactions and quotes loaded.
pub fn complete(
    conn: &mut crate::db::DbConn,
    rows: Vec<crate::db::messages::MessageWithSender>,
) -> Result<Vec<Message>, crate::db::DbError> {
    let full = crate::db::full::complete(conn, rows, crate::db::full::Reactions::Load)?;
    Ok(full.into_iter().map(to_message).collect())
}
