//! Storing messages, once per (sender, `client_id`), and indexing them for
//! search; finding what a retried send already stored.

use diesel::prelude::*;

use super::{MessageRow, NewMessage};
use crate::db::schema::messages;
use crate::db::{DbConn, DbError};
use crate::domain::{MessageId, UserId};
use crate::on_backend;

/// Stores a message unless its sender already stored one with the same
/// `client_id`; returns the stored row and whether it is new.
pub fn insert_idempotent(
    conn: &mut DbConn,
    new: &NewMessage,
) -> Result<(MessageRow, bool), DbError> {
    let inserted: Option<MessageRow> = on_backend!(conn, c => diesel::insert_into(messages::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(MessageRow::as_returning())
        .get_result(c)
        .optional())?;
    if let Some(row) = inserted {
        index_for_search(conn, row.id, row.id)?;
        return Ok((row, true));
    }
    let client_id = new.client_id.ok_or(DbError::NotFound)?;
    let existing =
        find_by_client_id(conn, UserId(new.sender_id), client_id)?.ok_or(DbError::NotFound)?;
    Ok((existing, false))
}

pub fn find_by_client_id(
    conn: &mut DbConn,
    sender_id: UserId,
    client_id: &str,
) -> Result<Option<MessageRow>, DbError> {
    Ok(messages::table
        .filter(messages::sender_id.eq(sender_id.0))
        .filter(messages::client_id.eq(client_id))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()?)
}

/// Messages stored by these senders under these client ids (a superset of
/// the exact pairs; callers match pairs), in one query.
pub fn by_client_ids(
    conn: &mut DbConn,
    sender_ids: &[UserId],
    client_ids: &[&str],
) -> Result<Vec<MessageRow>, DbError> {
    let sender_ids: Vec<i64> = sender_ids.iter().map(|id| id.0).collect();
    Ok(messages::table
        .filter(messages::sender_id.eq_any(sender_ids))
        .filter(messages::client_id.eq_any(client_ids))
        .select(MessageRow::as_select())
        .load(conn)?)
}

/// Inserts many messages in one statement; returns the stored rows ordered by
/// id. Rows whose (sender, client_id) already exists are skipped.
pub fn insert_many(conn: &mut DbConn, rows: &[NewMessage]) -> Result<Vec<MessageRow>, DbError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut stored: Vec<MessageRow> = match conn {
        // One statement for the whole batch: round trips are what cost here.
        DbConn::Pg(c) => diesel::insert_into(messages::table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(MessageRow::as_returning())
            .get_results(c)?,
        // SQLite runs in-process, so a statement per row costs microseconds,
        // and Diesel's SQLite batch insert cannot skip conflicting rows.
        DbConn::Sqlite(c) => {
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let inserted = diesel::insert_into(messages::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .returning(MessageRow::as_returning())
                    .get_result(c)
                    .optional()?;
                out.extend(inserted);
            }
            out
        }
    };
    stored.sort_by_key(|m| m.id);
    if let (Some(first), Some(last)) = (stored.first(), stored.last()) {
        index_for_search(conn, first.id, last.id)?;
    }
    Ok(stored)
}

/// SQLite: adds the messages with ids `first..=last` to the search index,
/// in one statement. A trigger per row did the same at twice the writer's
/// CPU time per stored message (issue 14's slower ingest). The range holds
/// exactly the rows just inserted: the caller holds the write lock, and ids
/// are taken in order. PostgreSQL's index is on the table itself.
fn index_for_search(conn: &mut DbConn, first: MessageId, last: MessageId) -> Result<(), DbError> {
    if let DbConn::Sqlite(lite) = conn {
        diesel::sql_query(
            "INSERT INTO messages_fts (rowid, search_text) \
             SELECT id, search_text FROM messages WHERE id BETWEEN ? AND ?",
        )
        .bind::<diesel::sql_types::BigInt, _>(first.0)
        .bind::<diesel::sql_types::BigInt, _>(last.0)
        .execute(lite)?;
    }
    Ok(())
}
