//! The role → permission table seeded by the first migration.

use diesel::prelude::*;

use super::schema::role_permissions;
use super::{DbConn, DbError};

/// Every (role, permission) pair.
pub fn list(conn: &mut DbConn) -> Result<Vec<(String, String)>, DbError> {
    Ok(role_permissions::table
        .select((role_permissions::role, role_permissions::permission))
        .load(conn)?)
}
