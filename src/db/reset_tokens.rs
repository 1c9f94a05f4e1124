//! One-time password reset links (only the token's SHA-256 is stored).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::reset_tokens;
use super::{DbConn, DbError};
use crate::domain::UserId;

#[derive(Debug, Insertable)]
#[diesel(table_name = reset_tokens)]
pub struct NewResetToken<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Stores a new link for the user; earlier ones stop working, so only the
/// link an admin handed over last can be used.
pub fn replace(conn: &mut DbConn, new: &NewResetToken) -> Result<(), DbError> {
    diesel::delete(reset_tokens::table.filter(reset_tokens::user_id.eq(new.user_id)))
        .execute(conn)?;
    diesel::insert_into(reset_tokens::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Marks the link used if it is unused and unexpired at `now`, and names
/// its user; `None` otherwise. One conditional update, so a link works once
/// even when presented twice at the same moment.
pub fn take(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<UserId>, DbError> {
    let n = diesel::update(
        reset_tokens::table
            .filter(reset_tokens::token_hash.eq(token_hash))
            .filter(reset_tokens::used_at.is_null())
            .filter(reset_tokens::expires_at.gt(now)),
    )
    .set(reset_tokens::used_at.eq(now))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(reset_tokens::table
        .find(token_hash)
        .select(reset_tokens::user_id)
        .first::<i64>(conn)
        .optional()?
        .map(UserId))
}
