//! Reactions: one row per (message, emoji, user); an emoji's place is the
//! order of its first use (the smallest row id).

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::reactions;
use super::{DbConn, DbError};
use crate::domain::{MessageId, UserId};

/// At most this many distinct emoji on one message.
pub const MAX_DISTINCT: i64 = 20;

/// One emoji on a message and who used it, in order of their reactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionRow {
    pub emoji: String,
    pub user_ids: Vec<UserId>,
}

#[derive(Insertable)]
#[diesel(table_name = reactions)]
struct NewReaction<'a> {
    message_id: i64,
    user_id: i64,
    emoji: &'a str,
}

/// Adds a reaction; `false` when the user had it already.
pub fn add(
    conn: &mut DbConn,
    message_id: MessageId,
    user_id: UserId,
    emoji: &str,
) -> Result<bool, DbError> {
    let new = NewReaction {
        message_id: message_id.0,
        user_id: user_id.0,
        emoji,
    };
    let n = crate::on_backend!(conn, c => diesel::insert_into(reactions::table)
        .values(&new)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n > 0)
}

/// Removes a reaction; `false` when there was none.
pub fn remove(
    conn: &mut DbConn,
    message_id: MessageId,
    user_id: UserId,
    emoji: &str,
) -> Result<bool, DbError> {
    let n = diesel::delete(
        reactions::table
            .filter(reactions::message_id.eq(message_id.0))
            .filter(reactions::emoji.eq(emoji))
            .filter(reactions::user_id.eq(user_id.0)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Whether the message has this emoji (from anyone), and how many distinct ones.
pub fn distinct(
    conn: &mut DbConn,
    message_id: MessageId,
    emoji: &str,
) -> Result<(bool, i64), DbError> {
    let used: Vec<String> = reactions::table
        .filter(reactions::message_id.eq(message_id.0))
        .select(reactions::emoji)
        .distinct()
        .load(conn)?;
    Ok((used.iter().any(|e| e == emoji), used.len() as i64))
}

/// Removes every reaction of a message (it was deleted).
pub fn clear(conn: &mut DbConn, message_id: MessageId) -> Result<(), DbError> {
    diesel::delete(reactions::table.filter(reactions::message_id.eq(message_id.0)))
        .execute(conn)?;
    Ok(())
}

/// The reactions of several messages in one query, each message's emoji
/// in order of first use.
pub fn of(
    conn: &mut DbConn,
    ids: &[MessageId],
) -> Result<HashMap<MessageId, Vec<ReactionRow>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
    let rows: Vec<(i64, i64, String)> = reactions::table
        .filter(reactions::message_id.eq_any(ids))
        .order(reactions::id.asc())
        .select((reactions::message_id, reactions::user_id, reactions::emoji))
        .load(conn)?;
    let mut out: HashMap<MessageId, Vec<ReactionRow>> = HashMap::new();
    for (message_id, user_id, emoji) in rows {
        let list = out.entry(MessageId(message_id)).or_default();
        match list.iter_mut().find(|r| r.emoji == emoji) {
            Some(r) => r.user_ids.push(UserId(user_id)),
            None => list.push(ReactionRow {
                emoji,
                user_ids: vec![UserId(user_id)],
            }),
        }
    }
    Ok(out)
}
