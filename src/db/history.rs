//! The group-commit write: many sends stored in one transaction.

use chrono::NaiveDateTime;
use diesel::Connection;

use super::messages::{self, MessageRow, NewMessage};
use super::{chats, members, DbConn, DbError};

/// One send waiting to be stored.
#[derive(Debug, Clone)]
pub struct PendingMessage {
    pub chat_id: i64,
    pub sender_id: i64,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What happened to one send of a batch.
#[derive(Debug, Clone)]
pub enum Stored {
    /// Stored now (`true`) or found stored by an earlier send with the same
    /// `client_id` (`false`).
    Message(MessageRow, bool),
    /// The sender is not (or no longer) a member of the chat; says whether
    /// the chat is public (visible to them) or not (as if it did not exist).
    NotMember { public: bool },
}

/// Stores a batch in one transaction, in order, so ids follow arrival order.
/// Membership is checked inside the transaction: it is the authority on who
/// may send, whatever a session or room believed.
pub fn store_batch(conn: &mut DbConn, batch: &[PendingMessage]) -> Result<Vec<Stored>, DbError> {
    conn.transaction(|conn| {
        let mut out = Vec::with_capacity(batch.len());
        let mut newest: Vec<(i64, i64, NaiveDateTime)> = Vec::new();
        for item in batch {
            let stored = store_one(conn, item)?;
            if let Stored::Message(row, true) = &stored {
                match newest.iter_mut().find(|(chat, _, _)| *chat == row.chat_id) {
                    Some(entry) => *entry = (row.chat_id, row.id, row.created_at),
                    None => newest.push((row.chat_id, row.id, row.created_at)),
                }
            }
            out.push(stored);
        }
        for (chat_id, id, at) in newest {
            chats::touch(conn, chat_id, id, at)?;
        }
        Ok(out)
    })
}

fn store_one(conn: &mut DbConn, item: &PendingMessage) -> Result<Stored, DbError> {
    if members::find(conn, item.chat_id, item.sender_id)?.is_none() {
        let public = chats::find(conn, item.chat_id)?.is_some_and(|c| c.is_public == 1);
        return Ok(Stored::NotMember { public });
    }
    let new = NewMessage {
        chat_id: item.chat_id,
        sender_id: item.sender_id,
        body: &item.body,
        client_id: item.client_id.as_deref(),
        created_at: item.created_at,
    };
    let (row, fresh) = messages::insert_idempotent(conn, &new)?;
    Ok(Stored::Message(row, fresh))
}

/// Stores one send in its own transaction: the fallback that isolates a
/// failing item when a whole batch could not commit.
pub fn store_single(conn: &mut DbConn, item: &PendingMessage) -> Result<Stored, DbError> {
    store_batch(conn, std::slice::from_ref(item)).map(|mut v| v.remove(0))
}
