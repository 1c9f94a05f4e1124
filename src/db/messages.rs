//! Messages. Every per-message query is a range scan on `messages_chat_id`
//! or a point lookup on `messages_sender_client_id`.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{messages, users};
use super::{DbConn, DbError, MultiBackend};
use crate::domain::{text, ChatId, MessageId, UserId};
use crate::on_backend;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    #[diesel(deserialize_as = i64)]
    pub id: MessageId,
    #[diesel(deserialize_as = i64)]
    pub chat_id: ChatId,
    #[diesel(deserialize_as = i64)]
    pub sender_id: UserId,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: NaiveDateTime,
    /// Grows strictly within the chat with every change of any message.
    pub version: i64,
    pub edited_at: Option<NaiveDateTime>,
    /// 1 for a deleted message (`is_deleted`).
    pub deleted: i32,
    pub reply_to_id: Option<i64>,
    /// Comma-separated ids of the members the body mentions (`mentions()`).
    pub mentions: String,
}

impl MessageRow {
    pub fn is_deleted(&self) -> bool {
        self.deleted == 1
    }

    pub fn reply_to(&self) -> Option<MessageId> {
        self.reply_to_id.map(MessageId)
    }

    pub fn mentions(&self) -> Vec<UserId> {
        mentions_from_column(&self.mentions)
    }
}

/// Mentioned ids as stored (comma-separated).
pub fn mentions_column(ids: &[UserId]) -> String {
    ids.iter()
        .map(|id| id.0.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn mentions_from_column(s: &str) -> Vec<UserId> {
    s.split(',')
        .filter_map(|p| p.parse().ok())
        .map(UserId)
        .collect()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage<'a> {
    chat_id: i64,
    sender_id: i64,
    body: &'a str,
    client_id: Option<&'a str>,
    created_at: NaiveDateTime,
    version: i64,
    reply_to_id: Option<i64>,
    mentions: String,
    search_text: String,
}

impl<'a> NewMessage<'a> {
    pub fn new(
        chat_id: ChatId,
        sender_id: UserId,
        body: &'a str,
        client_id: Option<&'a str>,
        created_at: NaiveDateTime,
    ) -> NewMessage<'a> {
        NewMessage {
            chat_id: chat_id.0,
            sender_id: sender_id.0,
            body,
            client_id,
            created_at,
            version: 0,
            reply_to_id: None,
            mentions: String::new(),
            search_text: text::search_text(body),
        }
    }

    /// The version, reply and mentions a stored send takes.
    pub fn with(
        mut self,
        version: i64,
        reply_to: Option<MessageId>,
        mentions: &[UserId],
    ) -> NewMessage<'a> {
        self.version = version;
        self.reply_to_id = reply_to.map(|id| id.0);
        self.mentions = mentions_column(mentions);
        self
    }
}

/// A message with its sender's username, as history shows it.
pub type MessageWithSender = (MessageRow, String);

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

/// Messages joined with their senders' usernames, as every read of a
/// history selects them; callers add their range, order and limit.
type WithSender<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<messages::table, users::table>,
        (
            diesel::dsl::AsSelect<MessageRow, MultiBackend>,
            users::username,
        ),
    >,
    MultiBackend,
>;

fn with_sender<'a>() -> WithSender<'a> {
    messages::table
        .inner_join(users::table)
        .select((MessageRow::as_select(), users::username))
        .into_boxed()
}

/// [`with_sender`] for one chat: a range scan on `messages_chat_id`.
fn of_chat<'a>(chat_id: ChatId) -> WithSender<'a> {
    with_sender().filter(messages::chat_id.eq(chat_id.0))
}

/// Up to `limit` newest messages with id < `before` (all when `None`), oldest first.
pub fn page(
    conn: &mut DbConn,
    chat_id: ChatId,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Vec<MessageWithSender>, DbError> {
    let mut rows: Vec<MessageWithSender> = of_chat(chat_id)
        .filter(messages::id.lt(before.map_or(i64::MAX, i64::from)))
        .order(messages::id.desc())
        .limit(limit)
        .load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// Up to `limit` messages with id > `after`, oldest first (sync).
pub fn after(
    conn: &mut DbConn,
    chat_id: ChatId,
    after: MessageId,
    limit: i64,
) -> Result<Vec<MessageWithSender>, DbError> {
    Ok(of_chat(chat_id)
        .filter(messages::id.gt(after.0))
        .order(messages::id.asc())
        .limit(limit)
        .load(conn)?)
}

/// Up to `limit` messages with version > `after`, lowest version first
/// (sync by version: every change since).
pub fn after_version(
    conn: &mut DbConn,
    chat_id: ChatId,
    after: i64,
    limit: i64,
) -> Result<Vec<MessageWithSender>, DbError> {
    Ok(of_chat(chat_id)
        .filter(messages::version.gt(after))
        .order(messages::version.asc())
        .limit(limit)
        .load(conn)?)
}

/// Up to `limit` messages of `chat_id` stored at or after `since` with id >
/// `after`, oldest first: what a bus outage may have kept from sessions.
pub fn stored_since(
    conn: &mut DbConn,
    chat_id: ChatId,
    since: NaiveDateTime,
    after: MessageId,
    limit: i64,
) -> Result<Vec<MessageWithSender>, DbError> {
    Ok(of_chat(chat_id)
        .filter(messages::id.gt(after.0))
        .filter(messages::created_at.ge(since))
        .order(messages::id.asc())
        .limit(limit)
        .load(conn)?)
}

/// Up to `limit` messages with id >= `from`, oldest first.
pub fn from_id(
    conn: &mut DbConn,
    chat_id: ChatId,
    from: MessageId,
    limit: i64,
) -> Result<Vec<MessageWithSender>, DbError> {
    after(conn, chat_id, MessageId(from.0 - 1), limit)
}

/// One message of a chat.
pub fn find(
    conn: &mut DbConn,
    chat_id: ChatId,
    id: MessageId,
) -> Result<Option<MessageRow>, DbError> {
    Ok(messages::table
        .filter(messages::id.eq(id.0))
        .filter(messages::chat_id.eq(chat_id.0))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of these (chat, message) pairs name a message that exists there
/// and is not deleted (what a reply may quote), in one query.
pub fn live(
    conn: &mut DbConn,
    pairs: &[(ChatId, MessageId)],
) -> Result<HashSet<(ChatId, MessageId)>, DbError> {
    if pairs.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<i64> = pairs.iter().map(|p| p.1 .0).collect();
    let found: Vec<(i64, i64)> = messages::table
        .filter(messages::id.eq_any(ids))
        .filter(messages::deleted.eq(0))
        .select((messages::chat_id, messages::id))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(c, m)| (ChatId(c), MessageId(m)))
        .collect())
}

/// Several messages by id (the chats' last messages).
pub fn by_ids(conn: &mut DbConn, ids: &[MessageId]) -> Result<Vec<MessageWithSender>, DbError> {
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    Ok(with_sender().filter(messages::id.eq_any(ids)).load(conn)?)
}

/// Messages after the marker that others sent: a range scan from the
/// marker, so its cost follows the unread count, not the history length.
pub fn unread(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
    after: MessageId,
) -> Result<i64, DbError> {
    Ok(messages::table
        .filter(messages::chat_id.eq(chat_id.0))
        .filter(messages::id.gt(after.0))
        .filter(messages::sender_id.ne(user_id.0))
        .select(count_star())
        .first(conn)?)
}

/// The newest message id of a chat, if any.
pub fn last_id(conn: &mut DbConn, chat_id: ChatId) -> Result<Option<MessageId>, DbError> {
    let last: Option<i64> = messages::table
        .filter(messages::chat_id.eq(chat_id.0))
        .order(messages::id.desc())
        .select(messages::id)
        .first(conn)
        .optional()?;
    Ok(last.map(MessageId))
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
