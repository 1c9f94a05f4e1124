//! **Insert**: the sends the plan lets through, stored with their versions
//! and mentions (one query each).

use std::collections::HashMap;

use super::PendingMessage;
use crate::db::messages::{self, MessageRow, NewMessage};
use crate::db::{chats, mentions, DbConn, DbError};
use crate::domain::{ChatId, UserId};

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
