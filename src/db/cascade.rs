//! Deleting a user and everything that hangs off it.

use diesel::Connection;

use super::{users, DbConn, DbError};

/// Deletes the user in one transaction. Foreign keys cascade to refresh
/// tokens (and, with the chat tables, to memberships, messages and read markers).
pub fn delete_user(conn: &mut DbConn, user_id: i64) -> Result<bool, DbError> {
    conn.transaction(|conn| users::delete(conn, user_id))
}
