//! Uploads as messages carry them: what a send may attach, the attachments
//! of stored messages, and letting go of them when messages are deleted.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{messages, uploads};
use super::uploads::UploadRow;
use super::{DbConn, DbError};
use crate::domain::{MessageId, StoredUpload, UserId};

/// What a send needs to know about an upload it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadState {
    pub owner: Option<UserId>,
    /// `None`: free. `Some(None)`: attached to a message since deleted.
    /// `Some(Some((sender, client_id)))`: the message holding it.
    pub attached_to: Option<Option<(UserId, Option<String>)>>,
}

/// The state of each of `ids` that exists, in two queries at most (the
/// second only when some are attached).
pub fn states(conn: &mut DbConn, ids: &[i64]) -> Result<HashMap<i64, UploadState>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    type Row = (i64, Option<i64>, bool, Option<i64>);
    let rows: Vec<Row> = uploads::table
        .filter(uploads::id.eq_any(ids))
        .select((
            uploads::id,
            uploads::owner_id,
            uploads::attached_at.is_not_null(),
            uploads::message_id,
        ))
        .load(conn)?;
    let held: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
    let holders: HashMap<i64, (UserId, Option<String>)> = if held.is_empty() {
        HashMap::new()
    } else {
        messages::table
            .filter(messages::id.eq_any(&held))
            .select((messages::id, messages::sender_id, messages::client_id))
            .load::<(i64, i64, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, sender, cid)| (id, (UserId(sender), cid)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|(id, owner, attached, message)| {
            let attached_to = attached.then(|| message.and_then(|m| holders.get(&m).cloned()));
            let owner = owner.map(UserId);
            (id, UploadState { owner, attached_to })
        })
        .collect())
}

/// The attachments of these messages, each message's in the order its
/// sender listed them.
pub fn of_messages(
    conn: &mut DbConn,
    ids: &[MessageId],
) -> Result<HashMap<MessageId, Vec<StoredUpload>>, DbError> {
    let mut out: HashMap<MessageId, Vec<StoredUpload>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let rows: Vec<UploadRow> = uploads::table
        .filter(uploads::message_id.eq_any(ids))
        .filter(uploads::owner_id.is_not_null())
        .order((uploads::attached_at, uploads::id))
        .select(UploadRow::as_select())
        .load(conn)?;
    for row in rows {
        if let Some(message) = row.message_id {
            out.entry(MessageId(message)).or_default().push(row.into());
        }
    }
    Ok(out)
}

/// Lets go of the files of messages being deleted (or blanked) without
/// their rows going: they stop being served at once and the sweep deletes
/// their bytes. A hard `DELETE` of a message does the same by itself
/// (`uploads.message_id` is `ON DELETE SET NULL`). Returns how many.
pub fn release(conn: &mut DbConn, ids: &[MessageId]) -> Result<usize, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    Ok(
        diesel::update(uploads::table.filter(uploads::message_id.eq_any(ids)))
            .set(uploads::message_id.eq(None::<i64>))
            .execute(conn)?,
    )
}
