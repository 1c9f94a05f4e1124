//! Who messages mention: names resolved against a chat's members, and the
//! rows the chat object's `mentions` count reads.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{chat_members, mentions, users};
use super::{DbConn, DbError};
use crate::domain::text::mention_candidates;
use crate::domain::{ChatId, MessageId, UserId};

/// The members of each chat whose lower-cased username is among `names`,
/// in one query: ((chat, lower-cased name) → user).
pub fn members_named(
    conn: &mut DbConn,
    chat_ids: &[ChatId],
    names: &[String],
) -> Result<HashMap<(ChatId, String), UserId>, DbError> {
    if chat_ids.is_empty() || names.is_empty() {
        return Ok(HashMap::new());
    }
    let chat_ids: Vec<i64> = chat_ids.iter().map(|c| c.0).collect();
    let rows: Vec<(i64, i64, String)> = chat_members::table
        .inner_join(users::table)
        .filter(chat_members::chat_id.eq_any(chat_ids))
        .filter(users::username_lower.eq_any(names))
        .select((chat_members::chat_id, users::id, users::username_lower))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, u, name)| ((ChatId(c), name), UserId(u)))
        .collect())
}

/// The members each body (of the chat beside it) mentions, ascending ids,
/// with one query for all of them (none when no body has an `@`).
pub fn resolve(conn: &mut DbConn, bodies: &[(ChatId, &str)]) -> Result<Vec<Vec<UserId>>, DbError> {
    let candidates: Vec<Vec<String>> = bodies
        .iter()
        .map(|(_, body)| {
            if body.contains('@') {
                mention_candidates(body)
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut names: Vec<String> = candidates.iter().flatten().cloned().collect();
    if names.is_empty() {
        return Ok(vec![Vec::new(); bodies.len()]);
    }
    names.sort_unstable();
    names.dedup();
    let mut chats: Vec<ChatId> = bodies.iter().map(|(c, _)| *c).collect();
    chats.sort_unstable();
    chats.dedup();
    let named = members_named(conn, &chats, &names)?;
    Ok(bodies
        .iter()
        .zip(candidates)
        .map(|((chat_id, _), names)| {
            let mut ids: Vec<UserId> = names
                .into_iter()
                .filter_map(|n| named.get(&(*chat_id, n)).copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect())
}

#[derive(Insertable)]
#[diesel(table_name = mentions)]
struct NewMention {
    user_id: i64,
    chat_id: i64,
    message_id: i64,
}

/// Records who a message mentions (its sender is never counted).
pub fn insert(
    conn: &mut DbConn,
    chat_id: ChatId,
    message_id: MessageId,
    sender: UserId,
    ids: &[UserId],
) -> Result<(), DbError> {
    let rows: Vec<NewMention> = ids
        .iter()
        .filter(|id| **id != sender)
        .map(|id| NewMention {
            user_id: id.0,
            chat_id: chat_id.0,
            message_id: message_id.0,
        })
        .collect();
    // A statement each: mentions are few, and the multi-backend
    // connection cannot batch inserts.
    for row in &rows {
        diesel::insert_into(mentions::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets a message's mentions (edited or deleted).
pub fn clear(conn: &mut DbConn, message_id: MessageId) -> Result<(), DbError> {
    diesel::delete(mentions::table.filter(mentions::message_id.eq(message_id.0))).execute(conn)?;
    Ok(())
}

/// Messages after the read marker that mention `user_id`.
pub fn unread(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
    after: MessageId,
) -> Result<i64, DbError> {
    Ok(mentions::table
        .filter(mentions::user_id.eq(user_id.0))
        .filter(mentions::chat_id.eq(chat_id.0))
        .filter(mentions::message_id.gt(after.0))
        .select(count_star())
        .first(conn)?)
}
