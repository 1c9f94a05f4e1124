//! Reading messages: history pages, sync ranges, single messages, unread
//! counts.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::{MessageRow, MessageWithSender};
use crate::db::schema::{messages, users};
use crate::db::{DbConn, DbError, MultiBackend};
use crate::domain::{ChatId, MessageId, UserId};

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
