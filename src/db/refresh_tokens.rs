//! Refresh tokens, stored only as hashes, grouped in families (one per login).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::refresh_tokens;
use super::{DbConn, DbError};
use crate::domain::UserId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i64,
    #[diesel(deserialize_as = i64)]
    pub user_id: UserId,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug)]
pub struct NewRefreshToken<'a> {
    pub user_id: UserId,
    pub family_id: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, new: &NewRefreshToken) -> Result<(), DbError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(new.user_id.0),
            refresh_tokens::family_id.eq(new.family_id),
            refresh_tokens::token_hash.eq(new.token_hash),
            refresh_tokens::created_at.eq(new.created_at),
            refresh_tokens::expires_at.eq(new.expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Looks a presented token up by its hash (uses `refresh_tokens_hash`).
pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> Result<Option<RefreshTokenRow>, DbError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a token used, only if nobody else did first. Returns false when the
/// token was already used or revoked: two racing refreshes cannot both win.
pub fn mark_used(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether a token of `family` issued after token `id` has been used: then
/// `id` is not the family's latest rotation.
pub fn used_after(conn: &mut DbConn, family: &str, id: i64) -> Result<bool, DbError> {
    let later: i64 = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(family))
        .filter(refresh_tokens::id.gt(id))
        .filter(refresh_tokens::used_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(later > 0)
}

/// Revokes every token of a login's family (uses `refresh_tokens_family`).
pub fn revoke_family(
    conn: &mut DbConn,
    family: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)?)
}

/// Drops a user's tokens that can no longer be used by anyone (uses
/// `refresh_tokens_user`). Used tokens are kept until then: they are what
/// reuse detection recognises.
pub fn delete_expired(
    conn: &mut DbConn,
    user_id: UserId,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id.0))
            .filter(refresh_tokens::expires_at.lt(now)),
    )
    .execute(conn)?)
}

/// Revokes every live token of the user except those of `keep` (the
/// caller's own login, on a password change). Returns how many.
pub fn revoke_user(
    conn: &mut DbConn,
    user_id: UserId,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let base = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(user_id.0))
        .filter(refresh_tokens::revoked_at.is_null());
    let n = match keep {
        Some(family) => diesel::update(base.filter(refresh_tokens::family_id.ne(family)))
            .set(refresh_tokens::revoked_at.eq(now))
            .execute(conn)?,
        None => diesel::update(base)
            .set(refresh_tokens::revoked_at.eq(now))
            .execute(conn)?,
    };
    Ok(n)
}
