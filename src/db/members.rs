//! Chat memberships and the read marker each one carries.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{chat_members, users};
use super::users::UserRow;
use super::{DbConn, DbError};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chat_members)]
pub struct MemberRow {
    pub chat_id: i64,
    pub user_id: i64,
    pub role: String,
    pub joined_at: NaiveDateTime,
    pub last_read_id: i64,
}

/// Adds a member; returns false when already one (nothing changes then).
pub fn add(
    conn: &mut DbConn,
    chat_id: i64,
    user_id: i64,
    role: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = on_backend!(conn, c => diesel::insert_into(chat_members::table)
        .values((
            chat_members::chat_id.eq(chat_id),
            chat_members::user_id.eq(user_id),
            chat_members::role.eq(role),
            chat_members::joined_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n == 1)
}

pub fn find(conn: &mut DbConn, chat_id: i64, user_id: i64) -> Result<Option<MemberRow>, DbError> {
    Ok(chat_members::table
        .find((chat_id, user_id))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

/// Members with their accounts, longest-standing first.
pub fn list(conn: &mut DbConn, chat_id: i64) -> Result<Vec<(MemberRow, UserRow)>, DbError> {
    Ok(chat_members::table
        .inner_join(users::table)
        .filter(chat_members::chat_id.eq(chat_id))
        .order((chat_members::joined_at.asc(), chat_members::user_id.asc()))
        .select((MemberRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

pub fn user_ids(conn: &mut DbConn, chat_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(chat_members::table
        .filter(chat_members::chat_id.eq(chat_id))
        .select(chat_members::user_id)
        .load(conn)?)
}

/// Member counts for several chats in one query.
pub fn counts(conn: &mut DbConn, chat_ids: &[i64]) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(chat_members::table
        .filter(chat_members::chat_id.eq_any(chat_ids))
        .group_by(chat_members::chat_id)
        .select((chat_members::chat_id, count_star()))
        .load(conn)?)
}

/// Returns whether a membership was removed.
pub fn remove(conn: &mut DbConn, chat_id: i64, user_id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(chat_members::table.find((chat_id, user_id))).execute(conn)? > 0)
}

/// The member who joined first, for passing ownership on.
pub fn longest_standing(conn: &mut DbConn, chat_id: i64) -> Result<Option<i64>, DbError> {
    Ok(chat_members::table
        .filter(chat_members::chat_id.eq(chat_id))
        .order((chat_members::joined_at.asc(), chat_members::user_id.asc()))
        .select(chat_members::user_id)
        .first(conn)
        .optional()?)
}

pub fn set_role(conn: &mut DbConn, chat_id: i64, user_id: i64, role: &str) -> Result<(), DbError> {
    diesel::update(chat_members::table.find((chat_id, user_id)))
        .set(chat_members::role.eq(role))
        .execute(conn)?;
    Ok(())
}

/// Moves the read marker forward, never back. Returns whether it moved.
pub fn mark_read(
    conn: &mut DbConn,
    chat_id: i64,
    user_id: i64,
    message_id: i64,
) -> Result<bool, DbError> {
    let n = diesel::update(
        chat_members::table
            .find((chat_id, user_id))
            .filter(chat_members::last_read_id.lt(message_id)),
    )
    .set(chat_members::last_read_id.eq(message_id))
    .execute(conn)?;
    Ok(n == 1)
}

/// Chat ids the user belongs to (uses `chat_members_user`).
pub fn chats_of(conn: &mut DbConn, user_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(chat_members::table
        .filter(chat_members::user_id.eq(user_id))
        .select(chat_members::chat_id)
        .load(conn)?)
}

/// Which of the given (chat, user) pairs are memberships, in one query.
///
/// Reads the users' memberships (index on `user_id`) and matches them here:
/// with both columns in IN lists SQLite probes every combination, a million
/// index seeks for a batch spread over 1000 chats and 1000 senders.
pub fn pairs(
    conn: &mut DbConn,
    wanted: &HashSet<(i64, i64)>,
) -> Result<HashSet<(i64, i64)>, DbError> {
    let mut user_ids: Vec<i64> = wanted.iter().map(|&(_, user)| user).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let rows: Vec<(i64, i64)> = chat_members::table
        .filter(chat_members::user_id.eq_any(&user_ids))
        .select((chat_members::chat_id, chat_members::user_id))
        .load(conn)?;
    Ok(rows.into_iter().filter(|p| wanted.contains(p)).collect())
}
