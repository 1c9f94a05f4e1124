//! Small key/value settings the server keeps for itself (e.g. a generated JWT secret).

use diesel::prelude::*;

use super::schema::settings;
use super::{DbConn, DbError};
use crate::on_backend;

pub fn get(conn: &mut DbConn, key: &str) -> Result<Option<String>, DbError> {
    Ok(settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .optional()?)
}

/// Stores `value` unless the key exists, then returns whatever is stored, so
/// two instances starting at once agree on one value. The bool says whether
/// this call's value was the one stored.
pub fn get_or_insert(conn: &mut DbConn, key: &str, value: &str) -> Result<(String, bool), DbError> {
    let inserted = on_backend!(conn, c => diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .on_conflict_do_nothing()
        .execute(c))?;
    let stored = get(conn, key)?.ok_or(DbError::NotFound)?;
    Ok((stored, inserted == 1))
}
