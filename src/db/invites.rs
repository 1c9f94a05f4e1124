//! Invite codes: who made them, how often and until when they work.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{invites, users};
use super::users::UserRow;
use super::{DbConn, DbError};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invites)]
pub struct InviteRow {
    pub code: String,
    pub created_by: i64,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, row: &InviteRow) -> Result<(), DbError> {
    diesel::insert_into(invites::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Invites with their creators, newest first; only `creator`'s when given.
pub fn list(conn: &mut DbConn, creator: Option<i64>) -> Result<Vec<(InviteRow, UserRow)>, DbError> {
    let mut query = invites::table
        .inner_join(users::table)
        .select((InviteRow::as_select(), UserRow::as_select()))
        .order((invites::created_at.desc(), invites::code.asc()))
        .into_boxed();
    if let Some(creator) = creator {
        query = query.filter(invites::created_by.eq(creator));
    }
    Ok(query.load(conn)?)
}

pub fn find(conn: &mut DbConn, code: &str) -> Result<Option<InviteRow>, DbError> {
    Ok(invites::table
        .find(code)
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes the invite (only if `creator` made it, when given); whether one was.
pub fn delete(conn: &mut DbConn, code: &str, creator: Option<i64>) -> Result<bool, DbError> {
    let n = match creator {
        Some(creator) => diesel::delete(
            invites::table
                .filter(invites::code.eq(code))
                .filter(invites::created_by.eq(creator)),
        )
        .execute(conn)?,
        None => diesel::delete(invites::table.find(code)).execute(conn)?,
    };
    Ok(n > 0)
}

/// Counts one use if the invite is still good at `now`. A single
/// conditional update: concurrent registrations serialise on the row, and
/// each re-checks `uses < max_uses` after the one before it, so exactly
/// `max_uses` of them win.
pub fn take_use(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        invites::table
            .filter(invites::code.eq(code))
            .filter(
                invites::max_uses
                    .is_null()
                    .or(invites::uses.nullable().lt(invites::max_uses)),
            )
            .filter(
                invites::expires_at
                    .is_null()
                    .or(invites::expires_at.gt(now)),
            ),
    )
    .set(invites::uses.eq(invites::uses + 1))
    .execute(conn)?;
    Ok(n > 0)
}
