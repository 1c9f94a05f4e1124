//! Chat memberships and the read marker each one carries.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{chat_members, users};
use super::users::UserRow;
use super::{DbConn, DbError};
use crate::domain::{ChatId, MemberRole, MessageId, UserId};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chat_members)]
pub struct MemberRow {
    #[diesel(deserialize_as = i64)]
    pub chat_id: ChatId,
    #[diesel(deserialize_as = i64)]
    pub user_id: UserId,
    role: String,
    pub joined_at: NaiveDateTime,
    #[diesel(deserialize_as = i64)]
    pub last_read_id: MessageId,
}

impl MemberRow {
    pub fn role(&self) -> MemberRole {
        member_role(&self.role)
    }
}

/// A stored role; anything but an owner is a plain member.
pub(super) fn member_role(stored: &str) -> MemberRole {
    if stored == "owner" {
        MemberRole::Owner
    } else {
        MemberRole::Member
    }
}

fn role_column(role: MemberRole) -> &'static str {
    match role {
        MemberRole::Owner => "owner",
        MemberRole::Member => "member",
    }
}

/// Adds a member; returns false when already one (nothing changes then).
pub fn add(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
    role: MemberRole,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = on_backend!(conn, c => diesel::insert_into(chat_members::table)
        .values((
            chat_members::chat_id.eq(chat_id.0),
            chat_members::user_id.eq(user_id.0),
            chat_members::role.eq(role_column(role)),
            chat_members::joined_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n == 1)
}

pub fn find(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
) -> Result<Option<MemberRow>, DbError> {
    Ok(chat_members::table
        .find((chat_id.0, user_id.0))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

/// Members with their accounts, longest-standing first.
pub fn list(conn: &mut DbConn, chat_id: ChatId) -> Result<Vec<(MemberRow, UserRow)>, DbError> {
    Ok(chat_members::table
        .inner_join(users::table)
        .filter(chat_members::chat_id.eq(chat_id.0))
        .order((chat_members::joined_at.asc(), chat_members::user_id.asc()))
        .select((MemberRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

pub fn user_ids(conn: &mut DbConn, chat_id: ChatId) -> Result<Vec<UserId>, DbError> {
    let ids: Vec<i64> = chat_members::table
        .filter(chat_members::chat_id.eq(chat_id.0))
        .select(chat_members::user_id)
        .load(conn)?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// Member counts for several chats in one query.
pub fn counts(conn: &mut DbConn, chat_ids: &[ChatId]) -> Result<Vec<(ChatId, i64)>, DbError> {
    let ids: Vec<i64> = chat_ids.iter().map(|c| c.0).collect();
    let rows: Vec<(i64, i64)> = chat_members::table
        .filter(chat_members::chat_id.eq_any(ids))
        .group_by(chat_members::chat_id)
        .select((chat_members::chat_id, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(c, n)| (ChatId(c), n)).collect())
}

/// The chat's member count, or `cap` when it has at least that many: what
/// stays cheap for a chat of 10 000.
pub fn count_upto(conn: &mut DbConn, chat_id: ChatId, cap: u32) -> Result<i64, DbError> {
    let some: Vec<i64> = chat_members::table
        .filter(chat_members::chat_id.eq(chat_id.0))
        .select(chat_members::user_id)
        .limit(i64::from(cap))
        .load(conn)?;
    Ok(some.len() as i64)
}

/// Returns whether a membership was removed.
pub fn remove(conn: &mut DbConn, chat_id: ChatId, user_id: UserId) -> Result<bool, DbError> {
    let row = chat_members::table.find((chat_id.0, user_id.0));
    Ok(diesel::delete(row).execute(conn)? > 0)
}

/// The member who joined first, for passing ownership on.
pub fn longest_standing(conn: &mut DbConn, chat_id: ChatId) -> Result<Option<UserId>, DbError> {
    let first: Option<i64> = chat_members::table
        .filter(chat_members::chat_id.eq(chat_id.0))
        .order((chat_members::joined_at.asc(), chat_members::user_id.asc()))
        .select(chat_members::user_id)
        .first(conn)
        .optional()?;
    Ok(first.map(UserId))
}

pub fn set_role(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
    role: MemberRole,
) -> Result<(), DbError> {
    diesel::update(chat_members::table.find((chat_id.0, user_id.0)))
        .set(chat_members::role.eq(role_column(role)))
        .execute(conn)?;
    Ok(())
}

/// Moves the read marker forward, never back. Returns whether it moved.
pub fn mark_read(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
    message_id: MessageId,
) -> Result<bool, DbError> {
    let n = diesel::update(
        chat_members::table
            .find((chat_id.0, user_id.0))
            .filter(chat_members::last_read_id.lt(message_id.0)),
    )
    .set(chat_members::last_read_id.eq(message_id.0))
    .execute(conn)?;
    Ok(n == 1)
}

/// Chat ids the user belongs to (uses `chat_members_user`).
pub fn chats_of(conn: &mut DbConn, user_id: UserId) -> Result<Vec<ChatId>, DbError> {
    let ids: Vec<i64> = chat_members::table
        .filter(chat_members::user_id.eq(user_id.0))
        .select(chat_members::chat_id)
        .load(conn)?;
    Ok(ids.into_iter().map(ChatId).collect())
}

/// The chats of each of `user_ids`, in one query: (user, chat) pairs.
pub fn chats_of_many(
    conn: &mut DbConn,
    user_ids: &[UserId],
) -> Result<Vec<(UserId, ChatId)>, DbError> {
    let ids: Vec<i64> = user_ids.iter().map(|u| u.0).collect();
    let rows: Vec<(i64, i64)> = chat_members::table
        .filter(chat_members::user_id.eq_any(&ids))
        .select((chat_members::user_id, chat_members::chat_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(u, c)| (UserId(u), ChatId(c)))
        .collect())
}

/// Which of the given (chat, user) pairs are memberships, in one query.
///
/// Reads the users' memberships (index on `user_id`) and matches them here:
/// with both columns in IN lists SQLite probes every combination, a million
/// index seeks for a batch spread over 1000 chats and 1000 senders.
pub fn pairs(
    conn: &mut DbConn,
    wanted: &HashSet<(ChatId, UserId)>,
) -> Result<HashSet<(ChatId, UserId)>, DbError> {
    let mut user_ids: Vec<i64> = wanted.iter().map(|&(_, user)| user.0).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let rows: Vec<(i64, i64)> = chat_members::table
        .filter(chat_members::user_id.eq_any(&user_ids))
        .select((chat_members::chat_id, chat_members::user_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(chat, user)| (ChatId(chat), UserId(user)))
        .filter(|p| wanted.contains(p))
        .collect())
}

/// (chat, user) pairs.
pub type Pairs = HashSet<(ChatId, UserId)>;

/// Pairs allowed to send: which of the (chat, sender) pairs are memberships,
/// and which are sends to a direct chat whose other member blocked the
/// sender. On PostgreSQL one statement (each is a round trip inside the
/// writer's transaction, during which the whole batch waits for its acks);
/// on SQLite, in process, `pairs` and `blocks::refused_direct_sends`.
pub fn may_send(
    conn: &mut DbConn,
    wanted: &HashSet<(ChatId, UserId)>,
) -> Result<(Pairs, Pairs), DbError> {
    let DbConn::Pg(pg) = conn else {
        let allowed = pairs(conn, wanted)?;
        return Ok((allowed, super::blocks::refused_direct_sends(conn, wanted)?));
    };
    use diesel::sql_types::{Array, BigInt, Bool};
    #[derive(QueryableByName)]
    struct Pair {
        #[diesel(sql_type = BigInt)]
        chat_id: i64,
        #[diesel(sql_type = BigInt)]
        sender_id: i64,
        #[diesel(sql_type = Bool)]
        member: bool,
        #[diesel(sql_type = Bool)]
        blocked: bool,
    }
    let (chats, senders): (Vec<i64>, Vec<i64>) = wanted.iter().map(|(c, u)| (c.0, u.0)).unzip();
    let rows: Vec<Pair> = diesel::sql_query(
        "SELECT v.chat_id, v.sender_id, \
             EXISTS (SELECT 1 FROM chat_members m \
                     WHERE m.chat_id = v.chat_id AND m.user_id = v.sender_id) AS member, \
             EXISTS (SELECT 1 FROM chats c \
                     JOIN chat_members o ON o.chat_id = c.id \
                     JOIN blocks b ON b.blocker_id = o.user_id \
                     WHERE c.id = v.chat_id AND c.kind = 'direct' \
                       AND b.blocked_id = v.sender_id) AS blocked \
         FROM unnest($1::int8[], $2::int8[]) AS v(chat_id, sender_id)",
    )
    .bind::<Array<BigInt>, _>(chats)
    .bind::<Array<BigInt>, _>(senders)
    .load(pg)?;
    let (mut allowed, mut blocked) = (HashSet::new(), HashSet::new());
    for row in rows {
        let pair = (ChatId(row.chat_id), UserId(row.sender_id));
        if row.member {
            allowed.insert(pair);
        }
        if row.blocked {
            blocked.insert(pair);
        }
    }
    Ok((allowed, blocked))
}
