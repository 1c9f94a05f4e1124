//! The group-commit write: many sends stored in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::messages::{self, MessageRow, NewMessage};
use super::{chats, members, DbConn, DbError};
use crate::domain::{ChatId, MessageId, UserId};

/// One send waiting to be stored.
#[derive(Debug, Clone)]
pub struct PendingMessage {
    pub chat_id: ChatId,
    pub sender_id: UserId,
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

/// Stores a batch in one transaction with a fixed number of statements
/// (membership, earlier sends with the same `client_id`, one multi-row
/// insert, one update of the chats touched), in order, so ids follow arrival order.
/// Membership is checked inside the transaction: it is the authority on who
/// may send, whatever a session or room believed.
///
/// Fails as a whole (and the caller retries item by item) if the database
/// skipped a row the batch did not expect, e.g. a concurrent instance
/// storing the same `client_id` in between.
pub fn store_batch(conn: &mut DbConn, batch: &[PendingMessage]) -> Result<Vec<Stored>, DbError> {
    super::write_transaction(conn, |conn| {
        let wanted: HashSet<(ChatId, UserId)> =
            batch.iter().map(|m| (m.chat_id, m.sender_id)).collect();
        let allowed = members::pairs(conn, &wanted)?;

        // Decide each item: refused, a replay of an earlier item in this
        // batch, or an insert attempt.
        let mut out: Vec<Option<Stored>> = vec![None; batch.len()];
        let mut first_of: HashMap<(UserId, &str), usize> = HashMap::new();
        let mut replay_of: Vec<(usize, usize)> = Vec::new();
        let mut attempts: Vec<usize> = Vec::new();
        for (i, item) in batch.iter().enumerate() {
            if !allowed.contains(&(item.chat_id, item.sender_id)) {
                let public = chats::find(conn, item.chat_id)?.is_some_and(|c| c.is_public());
                out[i] = Some(Stored::NotMember { public });
                continue;
            }
            match item.client_id.as_deref() {
                Some(cid) => match first_of.get(&(item.sender_id, cid)) {
                    Some(&first) => replay_of.push((i, first)),
                    None => {
                        first_of.insert((item.sender_id, cid), i);
                        attempts.push(i);
                    }
                },
                None => attempts.push(i),
            }
        }

        let new_rows: Vec<NewMessage> = attempts
            .iter()
            .map(|&i| {
                let m = &batch[i];
                NewMessage::new(
                    m.chat_id,
                    m.sender_id,
                    &m.body,
                    m.client_id.as_deref(),
                    m.created_at,
                )
            })
            .collect();
        // Rows whose (sender, client_id) was stored earlier are skipped here
        // and looked up below: the rare retry pays for itself.
        let stored = messages::insert_many(conn, &new_rows)?;
        let mut keyed: HashMap<(UserId, String), MessageRow> = HashMap::new();
        let mut unkeyed = Vec::new();
        for row in stored {
            match row.client_id.clone() {
                Some(cid) => {
                    keyed.insert((row.sender_id, cid), row);
                }
                None => unkeyed.push(row),
            }
        }
        // Ids are assigned in VALUES order, so sends without a client_id
        // (which never conflict) match the returned rows in id order.
        let mut unkeyed = unkeyed.into_iter();
        let mut retried: Vec<usize> = Vec::new();
        let mut newest: HashMap<ChatId, (MessageId, NaiveDateTime)> = HashMap::new();
        for &i in &attempts {
            let item = &batch[i];
            let row = match &item.client_id {
                Some(cid) => match keyed.remove(&(item.sender_id, cid.clone())) {
                    Some(row) => row,
                    None => {
                        retried.push(i);
                        continue;
                    }
                },
                None => unkeyed.next().ok_or(DbError::BatchMismatch)?,
            };
            if row.chat_id != item.chat_id || row.sender_id != item.sender_id {
                return Err(DbError::BatchMismatch);
            }
            newest.insert(row.chat_id, (row.id, row.created_at));
            out[i] = Some(Stored::Message(row, true));
        }
        if unkeyed.next().is_some() {
            return Err(DbError::BatchMismatch);
        }
        if !retried.is_empty() {
            let senders: Vec<UserId> = dedup(retried.iter().map(|&i| batch[i].sender_id));
            let cids: Vec<&str> = retried
                .iter()
                .filter_map(|&i| batch[i].client_id.as_deref())
                .collect();
            let mut earlier: HashMap<(UserId, String), MessageRow> = HashMap::new();
            for row in messages::by_client_ids(conn, &senders, &cids)? {
                if let Some(cid) = row.client_id.clone() {
                    earlier.insert((row.sender_id, cid), row);
                }
            }
            for i in retried {
                let key = (
                    batch[i].sender_id,
                    batch[i].client_id.clone().unwrap_or_default(),
                );
                let row = earlier.remove(&key).ok_or(DbError::BatchMismatch)?;
                out[i] = Some(Stored::Message(row, false));
            }
        }
        for (i, first) in replay_of {
            if let Some(Stored::Message(row, _)) = &out[first] {
                out[i] = Some(Stored::Message(row.clone(), false));
            }
        }
        let newest: Vec<_> = newest
            .into_iter()
            .map(|(c, (id, at))| (c, id, at))
            .collect();
        chats::touch(conn, &newest)?;
        Ok(out
            .into_iter()
            .map(|s| s.expect("every item decided"))
            .collect())
    })
}

fn dedup(ids: impl Iterator<Item = UserId>) -> Vec<UserId> {
    let mut v: Vec<UserId> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn store_one(conn: &mut DbConn, item: &PendingMessage) -> Result<Stored, DbError> {
    if members::find(conn, item.chat_id, item.sender_id)?.is_none() {
        let public = chats::find(conn, item.chat_id)?.is_some_and(|c| c.is_public());
        return Ok(Stored::NotMember { public });
    }
    let new = NewMessage::new(
        item.chat_id,
        item.sender_id,
        &item.body,
        item.client_id.as_deref(),
        item.created_at,
    );
    let (row, fresh) = messages::insert_idempotent(conn, &new)?;
    Ok(Stored::Message(row, fresh))
}

/// Stores one send in its own transaction: the fallback that isolates a
/// failing item when a whole batch could not commit.
pub fn store_single(conn: &mut DbConn, item: &PendingMessage) -> Result<Stored, DbError> {
    super::write_transaction(conn, |conn| {
        let stored = store_one(conn, item)?;
        if let Stored::Message(row, true) = &stored {
            chats::touch(conn, &[(row.chat_id, row.id, row.created_at)])?;
        }
        Ok(stored)
    })
}
