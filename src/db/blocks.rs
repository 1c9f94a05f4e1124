//! Blocks between users, and the consent questions asked of them (and of
//! shared chats and invites) before someone is added to a chat.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{blocks, chat_members, chats, users};
use super::users::UserRow;
use super::{DbConn, DbError};
use crate::domain::{ChatId, UserId};

/// Records that `blocker` blocked `blocked` (again is a no-op).
pub fn block(
    conn: &mut DbConn,
    blocker: UserId,
    blocked: UserId,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let exists = blocks::table
        .find((blocker.0, blocked.0))
        .select(blocks::blocker_id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if !exists {
        diesel::insert_into(blocks::table)
            .values((
                blocks::blocker_id.eq(blocker.0),
                blocks::blocked_id.eq(blocked.0),
                blocks::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn unblock(conn: &mut DbConn, blocker: UserId, blocked: UserId) -> Result<(), DbError> {
    diesel::delete(blocks::table.find((blocker.0, blocked.0))).execute(conn)?;
    Ok(())
}

/// The users `blocker` blocked, by username.
pub fn list(conn: &mut DbConn, blocker: UserId) -> Result<Vec<UserRow>, DbError> {
    Ok(blocks::table
        .inner_join(users::table.on(users::id.eq(blocks::blocked_id)))
        .filter(blocks::blocker_id.eq(blocker.0))
        .order(users::username_lower.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Ids of the users `blocker` blocked.
pub fn blocked_by(conn: &mut DbConn, blocker: UserId) -> Result<HashSet<UserId>, DbError> {
    let ids: Vec<i64> = blocks::table
        .filter(blocks::blocker_id.eq(blocker.0))
        .select(blocks::blocked_id)
        .load(conn)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Whom each of `blockers` blocks, in one query: (blocker, blocked) pairs.
pub fn blocked_by_many(
    conn: &mut DbConn,
    blockers: &[UserId],
) -> Result<Vec<(UserId, UserId)>, DbError> {
    let ids: Vec<i64> = blockers.iter().map(|u| u.0).collect();
    let rows: Vec<(i64, i64)> = blocks::table
        .filter(blocks::blocker_id.eq_any(&ids))
        .select((blocks::blocker_id, blocks::blocked_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, b)| (UserId(a), UserId(b)))
        .collect())
}

/// Which of `candidates` blocked `user`.
pub fn who_blocked(
    conn: &mut DbConn,
    user: UserId,
    candidates: &[UserId],
) -> Result<HashSet<UserId>, DbError> {
    let ids: Vec<i64> = candidates.iter().map(|u| u.0).collect();
    let found: Vec<i64> = blocks::table
        .filter(blocks::blocked_id.eq(user.0))
        .filter(blocks::blocker_id.eq_any(&ids))
        .select(blocks::blocker_id)
        .load(conn)?;
    Ok(found.into_iter().map(UserId).collect())
}

/// Which of `candidates` share a chat with `user` or signed up with its
/// invite (`--add-policy shared`).
pub fn connected(
    conn: &mut DbConn,
    user: UserId,
    candidates: &[UserId],
) -> Result<HashSet<UserId>, DbError> {
    let ids: Vec<i64> = candidates.iter().map(|u| u.0).collect();
    let mine_table = diesel::alias!(chat_members as mine);
    let mine = mine_table
        .filter(mine_table.field(chat_members::user_id).eq(user.0))
        .select(mine_table.field(chat_members::chat_id));
    let sharing: Vec<i64> = chat_members::table
        .filter(chat_members::user_id.eq_any(&ids))
        .filter(chat_members::chat_id.eq_any(mine))
        .select(chat_members::user_id)
        .distinct()
        .load(conn)?;
    let invited: Vec<i64> = users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::invited_by.eq(user.0))
        .select(users::id)
        .load(conn)?;
    Ok(sharing.into_iter().chain(invited).map(UserId).collect())
}

/// Of the (chat, sender) pairs, those where the chat is direct and its
/// other member blocked the sender: such sends are refused.
pub fn refused_direct_sends(
    conn: &mut DbConn,
    wanted: &HashSet<(ChatId, UserId)>,
) -> Result<HashSet<(ChatId, UserId)>, DbError> {
    let senders: Vec<i64> = wanted.iter().map(|(_, u)| u.0).collect();
    let chat_ids: Vec<i64> = wanted.iter().map(|(c, _)| c.0).collect();
    let rows: Vec<(i64, i64)> = blocks::table
        .inner_join(chat_members::table.on(chat_members::user_id.eq(blocks::blocker_id)))
        .inner_join(chats::table.on(chats::id.eq(chat_members::chat_id)))
        .filter(blocks::blocked_id.eq_any(&senders))
        .filter(chat_members::chat_id.eq_any(&chat_ids))
        .filter(chats::kind.eq("direct"))
        .select((chat_members::chat_id, blocks::blocked_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, u)| (ChatId(c), UserId(u)))
        .filter(|p| wanted.contains(p))
        .collect())
}
