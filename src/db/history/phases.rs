//! The phases of [`store_batch`](super::store_batch). The ones that decide
//! (plan, match, resolve) are plain functions of their inputs; the others
//! are one query each.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::{PendingMessage, Stored};
use crate::db::messages::{self, MessageRow, NewMessage};
use crate::db::{chats, mentions, DbConn, DbError};
use crate::domain::{ChatId, MessageId, UserId};

/// What to do with one send of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    /// The sender is not a member of the chat.
    Refused,
    /// The reply names no live message of the chat.
    BadReply,
    /// Repeats the `client_id` of the send at that index of this batch.
    Replay(usize),
    /// Goes into the insert.
    Insert,
    /// Lists uploads it may not attach; says why.
    BadAttachments(&'static str),
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    pub decisions: Vec<Decision>,
    /// Indexes of the sends to insert, in batch order.
    pub inserts: Vec<usize>,
}

/// Plan: refuses non-members and replies to what is not a live message of
/// the chat (`live`), and lets only the first send of a (sender,
/// `client_id`) pair in this batch be inserted; later ones replay it.
pub(super) fn plan(
    batch: &[PendingMessage],
    allowed: &HashSet<(ChatId, UserId)>,
    live: &HashSet<(ChatId, MessageId)>,
) -> Plan {
    let mut first_of: HashMap<(UserId, &str), usize> = HashMap::new();
    let mut inserts = Vec::new();
    let decisions = batch
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !allowed.contains(&(item.chat_id, item.sender_id)) {
                return Decision::Refused;
            }
            if let Some(reply_to) = item.reply_to {
                if !live.contains(&(item.chat_id, reply_to)) {
                    return Decision::BadReply;
                }
            }
            if let Some(cid) = item.client_id.as_deref() {
                if let Some(&first) = first_of.get(&(item.sender_id, cid)) {
                    return Decision::Replay(first);
                }
                first_of.insert((item.sender_id, cid), i);
            }
            inserts.push(i);
            Decision::Insert
        })
        .collect();
    Plan { decisions, inserts }
}

/// The members each send's body mentions (a query only when some body to
/// insert has an `@`), by batch index: empty for sends not inserted.
pub(super) fn mentioned(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    inserts: &[usize],
) -> Result<Vec<Vec<UserId>>, DbError> {
    let bodies: Vec<(ChatId, &str)> = inserts
        .iter()
        .map(|&i| (batch[i].chat_id, batch[i].body.as_str()))
        .collect();
    let mut out = vec![Vec::new(); batch.len()];
    for (&i, ids) in inserts.iter().zip(mentions::resolve(conn, &bodies)?) {
        out[i] = ids;
    }
    Ok(out)
}

/// Each chat's change counter after the batch, where it is still to be
/// recorded (SQLite: with the chat's newest message, in one statement).
pub(super) type Tops = HashMap<ChatId, i64>;

/// Insert (unless folded): takes versions from each chat's counter (a row
/// skipped below leaves a gap, which is fine: versions only have to grow),
/// then one multi-row statement (PostgreSQL) or a statement per row (SQLite,
/// in process). Rows whose (sender, `client_id`) was stored earlier are
/// skipped by the database; the match phase finds them. PostgreSQL bumps
/// the counters at once (the row lock orders concurrent instances); SQLite,
/// holding the write lock, reads them and returns the new tops.
pub(super) fn insert(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    inserts: &[usize],
    mentioned: &[Vec<UserId>],
) -> Result<(Vec<MessageRow>, Tops), DbError> {
    let mut per_chat: HashMap<ChatId, i64> = HashMap::new();
    for &i in inserts {
        *per_chat.entry(batch[i].chat_id).or_default() += 1;
    }
    let counts: Vec<(ChatId, i64)> = per_chat.into_iter().collect();
    let (mut next, tops) = match conn {
        DbConn::Pg(_) => {
            let next = chats::bump_versions(conn, &counts)?
                .into_iter()
                .map(|(chat, top)| {
                    let n = counts.iter().find(|c| c.0 == chat).map_or(0, |c| c.1);
                    (chat, top - n + 1)
                })
                .collect();
            (next, Tops::new())
        }
        DbConn::Sqlite(_) => {
            let ids: Vec<ChatId> = counts.iter().map(|c| c.0).collect();
            let now = chats::versions(conn, &ids)?;
            let next: HashMap<ChatId, i64> = now.iter().map(|(&c, &v)| (c, v + 1)).collect();
            let tops = counts
                .iter()
                .filter_map(|&(c, n)| Some((c, now.get(&c)? + n)))
                .collect();
            (next, tops)
        }
    };
    let rows: Vec<NewMessage> = inserts
        .iter()
        .map(|&i| {
            let m = &batch[i];
            let version = next.get_mut(&m.chat_id).map_or(0, |v| {
                *v += 1;
                *v - 1
            });
            let client_id = m.client_id.as_deref();
            NewMessage::new(m.chat_id, m.sender_id, &m.body, client_id, m.created_at).with(
                version,
                m.reply_to,
                &mentioned[i],
            )
        })
        .collect();
    Ok((messages::insert_many(conn, &rows)?, tops))
}

/// Records the mentions of the rows stored now (none: no statement).
pub(super) fn record_mentions(conn: &mut DbConn, rows: &[MessageRow]) -> Result<(), DbError> {
    for row in rows {
        let ids = row.mentions();
        if !ids.is_empty() {
            mentions::insert(conn, row.chat_id, row.id, row.sender_id, &ids)?;
        }
    }
    Ok(())
}

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

/// Whether each chat a refused send was for is public (then the sender is
/// told `forbidden`, else `not_found`).
pub(super) fn refused_chats(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    plan: &Plan,
) -> Result<HashMap<ChatId, bool>, DbError> {
    let mut public = HashMap::new();
    for (item, decision) in batch.iter().zip(&plan.decisions) {
        if *decision == Decision::Refused && !public.contains_key(&item.chat_id) {
            let chat = chats::find(conn, item.chat_id)?;
            public.insert(item.chat_id, chat.is_some_and(|c| c.is_public()));
        }
    }
    Ok(public)
}

/// Resolve: every send's outcome, in batch order.
pub(super) fn resolve(
    plan: &Plan,
    matched: Matched,
    mut earlier: HashMap<(UserId, String), MessageRow>,
    public: &HashMap<ChatId, bool>,
    batch: &[PendingMessage],
) -> Result<Vec<Stored>, DbError> {
    let mut out: Vec<Option<Stored>> = vec![None; batch.len()];
    for (i, row) in matched.stored {
        out[i] = Some(Stored::Message(row, true, Vec::new()));
    }
    for i in matched.retried {
        let key = (
            batch[i].sender_id,
            batch[i].client_id.clone().unwrap_or_default(),
        );
        let row = earlier.remove(&key).ok_or(DbError::BatchMismatch)?;
        out[i] = Some(Stored::Message(row, false, Vec::new()));
    }
    for (i, decision) in plan.decisions.iter().enumerate() {
        match *decision {
            Decision::Refused => {
                let public = public.get(&batch[i].chat_id).copied().unwrap_or(false);
                out[i] = Some(Stored::NotMember { public });
            }
            // The first send comes earlier in the batch: already resolved.
            Decision::BadReply => out[i] = Some(Stored::BadReply),
            Decision::Replay(first) => match &out[first] {
                Some(Stored::Message(row, _, _)) => {
                    out[i] = Some(Stored::Message(row.clone(), false, Vec::new()))
                }
                Some(Stored::BadAttachments(why)) => out[i] = Some(Stored::BadAttachments(why)),
                _ => return Err(DbError::BatchMismatch),
            },
            Decision::BadAttachments(why) => out[i] = Some(Stored::BadAttachments(why)),
            Decision::Insert => {}
        }
    }
    out.into_iter()
        .map(|s| s.ok_or(DbError::BatchMismatch))
        .collect()
}

/// Each chat's newest message among those stored now.
pub(super) fn newest(outcomes: &[Stored]) -> Vec<(ChatId, MessageId, NaiveDateTime)> {
    let mut newest: HashMap<ChatId, (MessageId, NaiveDateTime)> = HashMap::new();
    for outcome in outcomes {
        if let Stored::Message(row, true, _) = outcome {
            let entry = newest
                .entry(row.chat_id)
                .or_insert((row.id, row.created_at));
            if row.id > entry.0 {
                *entry = (row.id, row.created_at);
            }
        }
    }
    newest
        .into_iter()
        .map(|(c, (id, at))| (c, id, at))
        .collect()
}
