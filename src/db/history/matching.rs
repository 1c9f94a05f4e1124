//! **Match**: the rows the insert returned paired with the sends (a plain
//! function), and the rows earlier batches stored for retried sends.

use std::collections::HashMap;

use super::PendingMessage;
use crate::db::messages::{self, MessageRow};
use crate::db::{DbConn, DbError};
use crate::domain::UserId;

#[derive(Debug, PartialEq)]
pub(super) struct Matched {
    /// (batch index, the row stored for it now).
    pub stored: Vec<(usize, MessageRow)>,
    /// Batch indexes whose `client_id` was stored by an earlier batch.
    pub retried: Vec<usize>,
}

/// Match: pairs the inserted rows (ordered by id) with the sends. A send
/// with a `client_id` is found by (sender, `client_id`); one without takes
/// the next row without: ids are assigned in VALUES order, and those never
/// conflict. Anything that does not fit means the database did something
/// the batch did not expect.
pub(super) fn match_rows(
    batch: &[PendingMessage],
    inserts: &[usize],
    rows: Vec<MessageRow>,
) -> Result<Matched, DbError> {
    let mut keyed: HashMap<(UserId, String), MessageRow> = HashMap::new();
    let mut unkeyed = Vec::new();
    for row in rows {
        match row.client_id.clone() {
            Some(cid) => {
                keyed.insert((row.sender_id, cid), row);
            }
            None => unkeyed.push(row),
        }
    }
    let mut unkeyed = unkeyed.into_iter();
    let mut matched = Matched {
        stored: Vec::with_capacity(inserts.len()),
        retried: Vec::new(),
    };
    for &i in inserts {
        let item = &batch[i];
        let row = match &item.client_id {
            Some(cid) => match keyed.remove(&(item.sender_id, cid.clone())) {
                Some(row) => row,
                None => {
                    matched.retried.push(i);
                    continue;
                }
            },
            None => unkeyed.next().ok_or(DbError::BatchMismatch)?,
        };
        if row.chat_id != item.chat_id || row.sender_id != item.sender_id {
            return Err(DbError::BatchMismatch);
        }
        matched.stored.push((i, row));
    }
    if unkeyed.next().is_some() || !keyed.is_empty() {
        return Err(DbError::BatchMismatch);
    }
    Ok(matched)
}

/// Retries: the rows earlier batches stored under the retried sends'
/// (sender, `client_id`), in one query.
pub(super) fn find_retried(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    retried: &[usize],
) -> Result<HashMap<(UserId, String), MessageRow>, DbError> {
    if retried.is_empty() {
        return Ok(HashMap::new());
    }
    let mut senders: Vec<UserId> = retried.iter().map(|&i| batch[i].sender_id).collect();
    senders.sort_unstable();
    senders.dedup();
    let cids: Vec<&str> = retried
        .iter()
        .filter_map(|&i| batch[i].client_id.as_deref())
        .collect();
    Ok(messages::by_client_ids(conn, &senders, &cids)?
        .into_iter()
        .filter_map(|row| Some(((row.sender_id, row.client_id.clone()?), row)))
        .collect())
}
