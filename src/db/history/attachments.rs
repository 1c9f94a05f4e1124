//! The attachment phases of [`store_batch`](super::store_batch): **claim**
//! (which sends may take the uploads they list), **bind** (attach them to
//! the rows just stored) and **load** (every stored message's attachments,
//! for the ack and the fan-out). A batch without attachments skips them all
//! but the load of retries, which may have had some.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::plan::{Decision, Plan};
use super::{PendingMessage, Stored};
use crate::db::attachments::{self, UploadState};
use crate::db::messages::MessageRow;
use crate::db::{uploads, DbConn, DbError};
use crate::domain::MessageId;

pub(super) const NOT_YOURS: &str = "no such upload of yours";
pub(super) const TAKEN: &str = "already attached to a message";

/// Why `item` may not take its uploads, given their states and the uploads
/// earlier sends of this batch took; `None` when it may. An upload already
/// attached to the sender's message with the same `client_id` is fine: the
/// send is a retry and will resolve to that message.
pub(super) fn refusal(
    item: &PendingMessage,
    states: &HashMap<i64, UploadState>,
    taken: &HashSet<i64>,
) -> Option<&'static str> {
    for id in &item.attachments {
        let Some(state) = states.get(id) else {
            return Some(NOT_YOURS);
        };
        if state.owner != Some(item.sender_id) {
            return Some(NOT_YOURS);
        }
        match &state.attached_to {
            None if !taken.contains(id) => {}
            Some(Some((sender, Some(cid))))
                if *sender == item.sender_id && item.client_id.as_ref() == Some(cid) => {}
            _ => return Some(TAKEN),
        }
    }
    None
}

/// Claim: turns the planned inserts whose uploads cannot be taken into
/// refusals. Earlier sends of the batch take their uploads first.
pub(super) fn claim(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    plan: &mut Plan,
) -> Result<(), DbError> {
    if plan
        .inserts
        .iter()
        .all(|&i| batch[i].attachments.is_empty())
    {
        return Ok(());
    }
    let ids: Vec<i64> = plan
        .inserts
        .iter()
        .flat_map(|&i| batch[i].attachments.iter().copied())
        .collect();
    let states = attachments::states(conn, &ids)?;
    apply_claims(batch, plan, &states);
    Ok(())
}

/// The deciding half of [`claim`], without a database.
pub(super) fn apply_claims(
    batch: &[PendingMessage],
    plan: &mut Plan,
    states: &HashMap<i64, UploadState>,
) {
    let mut taken = HashSet::new();
    let mut inserts = Vec::with_capacity(plan.inserts.len());
    for &i in &plan.inserts {
        match refusal(&batch[i], states, &taken) {
            Some(reason) => plan.decisions[i] = Decision::BadAttachments(reason),
            None => {
                taken.extend(batch[i].attachments.iter().copied());
                inserts.push(i);
            }
        }
    }
    plan.inserts = inserts;
}

/// Bind: attaches each new message's uploads. Fails the batch (and the
/// caller retries one by one, where the claim decides again) when some
/// upload was taken or swept since the claim read it.
pub(super) fn bind(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    stored: &[(usize, MessageRow)],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    for (i, row) in stored {
        let ids = &batch[*i].attachments;
        if !ids.is_empty() && bind_one(conn, ids, row, at)? != ids.len() {
            return Err(DbError::BatchMismatch);
        }
    }
    Ok(())
}

pub(super) fn bind_one(
    conn: &mut DbConn,
    ids: &[i64],
    row: &MessageRow,
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    uploads::attach(conn, ids, row.sender_id.0, row.id.0, at)
}

/// Load: fills in the attachments of every stored message that may have
/// some (those that listed uploads, and retries of earlier sends).
pub(super) fn load(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    outcomes: &mut [Stored],
) -> Result<(), DbError> {
    let ids: Vec<MessageId> = outcomes
        .iter()
        .zip(batch)
        .filter_map(|(outcome, item)| match outcome {
            Stored::Message(row, fresh, _) if !fresh || !item.attachments.is_empty() => {
                Some(row.id)
            }
            _ => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found = attachments::of_messages(conn, &ids)?;
    for outcome in outcomes {
        if let Stored::Message(row, _, files) = outcome {
            if let Some(list) = found.get(&row.id) {
                // Several sends of a batch may resolve to one message.
                files.clone_from(list);
            }
        }
    }
    Ok(())
}
