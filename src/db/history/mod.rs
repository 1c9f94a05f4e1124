//! The group-commit write: many sends stored in one transaction.
//!
//! Its phases, in order: `plan`, `insert`, `matching`, `resolve`, with
//! `attachments` between; the ones that decide (plan, match, resolve) are
//! plain functions of their inputs, the others one query each.

mod attachments;
mod insert;
mod matching;
mod plan;
mod resolve;
#[cfg(test)]
mod tests;

use chrono::NaiveDateTime;

use super::messages::{self, MessageRow};
use super::{chats, members, now, DbConn, DbError};
use crate::domain::{ChatId, MessageId, StoredUpload, UserId};
use insert::{insert, mentioned, record_mentions};
use matching::{find_retried, match_rows};
use plan::plan;
use resolve::{newest, refused_chats, resolve};
use std::collections::HashSet;

/// One send waiting to be stored.
#[derive(Debug, Clone)]
pub struct PendingMessage {
    pub chat_id: ChatId,
    pub sender_id: UserId,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: NaiveDateTime,
    /// Upload ids to attach (the sender's own, not yet attached).
    pub attachments: Vec<i64>,
    /// The message this one replies to: of the same chat, not deleted.
    pub reply_to: Option<MessageId>,
}

/// What happened to one send of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    /// Stored now (`true`) or found stored by an earlier send with the same
    /// `client_id` (`false`), with its attachments.
    Message(MessageRow, bool, Vec<StoredUpload>),
    /// The sender is not (or no longer) a member of the chat; says whether
    /// the chat is public (visible to them) or not (as if it did not exist).
    NotMember { public: bool },
    /// A direct chat whose other member blocked the sender.
    Blocked,
    /// Lists an upload that is not the sender's or is already attached.
    BadAttachments(&'static str),
    /// `reply_to` names no live message of the chat.
    BadReply,
}

/// Stores a batch in one transaction with a fixed number of statements
/// (membership, one multi-row insert, earlier sends with the same
/// `client_id`, one update of the chats touched; with attachments, one
/// lookup of their uploads, one update per upload attached and one load of
/// the stored messages' files), in order, so ids follow
/// arrival order. Membership is checked inside the transaction: it is the
/// authority on who may send, whatever a session or room believed.
///
/// In phases: **plan** (who may send, which sends repeat one of this
/// batch, which may take the uploads they list), **insert** (one statement; rows whose `client_id` was stored
/// before are skipped), **match** the returned rows to the sends and look up
/// the earlier rows of the skipped ones (retries), **resolve** every send's
/// outcome, **bind** the new messages' uploads to them and **load** the
/// attachments of the messages returned, then record each touched chat's
/// newest message.
///
/// Fails as a whole (and the caller retries item by item) if the database
/// skipped a row the batch did not expect, e.g. a concurrent instance
/// storing the same `client_id` in between.
pub fn store_batch(conn: &mut DbConn, batch: &[PendingMessage]) -> Result<Vec<Stored>, DbError> {
    super::write_transaction(conn, |conn| {
        let wanted: HashSet<(ChatId, UserId)> =
            batch.iter().map(|m| (m.chat_id, m.sender_id)).collect();
        let replies: Vec<(ChatId, MessageId)> = batch
            .iter()
            .filter_map(|m| Some((m.chat_id, m.reply_to?)))
            .collect();
        let live = messages::live(conn, &replies)?;
        let (mut allowed, blocked) = members::may_send(conn, &wanted)?;
        allowed.retain(|pair| !blocked.contains(pair));
        let blocked: Vec<usize> = (0..batch.len())
            .filter(|&i| blocked.contains(&(batch[i].chat_id, batch[i].sender_id)))
            .collect();
        let mut plan = plan(batch, &allowed, &live);
        attachments::claim(conn, batch, &mut plan)?;
        let mentioned = mentioned(conn, batch, &plan.inserts)?;
        let (rows, tops) = insert(conn, batch, &plan.inserts, &mentioned)?;
        record_mentions(conn, &rows)?;
        let matched = match_rows(batch, &plan.inserts, rows)?;
        attachments::bind(conn, batch, &matched.stored, now())?;
        let earlier = find_retried(conn, batch, &matched.retried)?;
        let public = refused_chats(conn, batch, &plan)?;
        let mut outcomes = resolve(&plan, matched, earlier, &public, batch)?;
        for &i in &blocked {
            outcomes[i] = Stored::Blocked;
        }
        attachments::load(conn, batch, &mut outcomes)?;
        if !tops.is_empty() {
            let newest: Vec<_> = newest(&outcomes)
                .into_iter()
                .filter_map(|(c, id, at)| Some((c, id, at, *tops.get(&c)?)))
                .collect();
            chats::touch_versioned(conn, &newest)?;
        } else {
            chats::touch(conn, &newest(&outcomes))?;
        }
        Ok(outcomes)
    })
}

/// Stores one send in its own transaction: the fallback that isolates a
/// failing item when a whole batch could not commit. The same phases as a
/// batch (versions, mentions, replies, attachments), for one send.
pub fn store_single(conn: &mut DbConn, item: &PendingMessage) -> Result<Stored, DbError> {
    match store_batch(conn, std::slice::from_ref(item)) {
        Ok(mut stored) => stored.pop().ok_or(DbError::BatchMismatch),
        // Only binding uploads mismatches for one send: one was taken meanwhile.
        Err(DbError::BatchMismatch) if !item.attachments.is_empty() => {
            Ok(Stored::BadAttachments(attachments::TAKEN))
        }
        Err(e) => Err(e),
    }
}
