//! Accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::{utc, DbConn, DbError};
use crate::domain::{Role, User, UserId};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    #[diesel(deserialize_as = i64)]
    pub id: UserId,
    pub username: String,
    pub username_lower: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub display_name: Option<String>,
    pub avatar_upload_id: Option<i64>,
    pub disabled_at: Option<NaiveDateTime>,
    pub invited_by: Option<i64>,
}

/// Stored rows always carry a seeded role; anything else is corruption.
impl TryFrom<UserRow> for User {
    type Error = DbError;

    fn try_from(row: UserRow) -> Result<User, DbError> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| DbError::Corrupt(format!("user {} has role {:?}", row.id, row.role)))?;
        Ok(User {
            id: row.id,
            username: row.username,
            email: row.email,
            role,
            created_at: utc(row.created_at),
            display_name: row.display_name,
            avatar_upload_id: row.avatar_upload_id,
            disabled: row.disabled_at.is_some(),
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub username_lower: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
    pub created_at: NaiveDateTime,
    pub invited_by: Option<i64>,
}

/// Inserts an account; a taken username or email is `UniqueViolation`.
pub fn create(conn: &mut DbConn, new: &NewUser) -> Result<UserRow, DbError> {
    let row = on_backend!(conn, c => diesel::insert_into(users::table)
        .values(new)
        .returning(UserRow::as_returning())
        .get_result(c))?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: UserId) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .find(id.0)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The users of `ids` that exist, in one query.
pub fn find_many(conn: &mut DbConn, ids: &[UserId]) -> Result<Vec<UserRow>, DbError> {
    let ids: Vec<i64> = ids.iter().map(|u| u.0).collect();
    Ok(users::table
        .filter(users::id.eq_any(&ids))
        .select(UserRow::as_select())
        .load(conn)?)
}

/// By lower-cased username (uses `users_username_lower`).
pub fn find_by_username(conn: &mut DbConn, lower: &str) -> Result<Option<UserRow>, DbError> {
    if lower.contains('\0') {
        return Ok(None); // Stored names never hold one; PostgreSQL refuses it.
    }
    Ok(users::table
        .filter(users::username_lower.eq(lower))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// By normalised email (uses `users_email`).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<UserRow>, DbError> {
    if email.contains('\0') {
        return Ok(None);
    }
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Users whose lower-cased name starts with `prefix`, as an index range scan:
/// `[prefix, prefix + U+10FFFF)` avoids LIKE, whose index use differs per backend.
pub fn search_prefix(conn: &mut DbConn, prefix: &str, limit: i64) -> Result<Vec<UserRow>, DbError> {
    if prefix.contains('\0') {
        return Ok(Vec::new());
    }
    let upper = format!("{prefix}\u{10FFFF}");
    Ok(users::table
        .filter(users::username_lower.ge(prefix))
        .filter(users::username_lower.lt(upper))
        .order(users::username_lower.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Returns the updated row, or `None` when there is no such user.
/// What a role change did.
pub enum RoleChange {
    Changed(Box<UserRow>),
    NoSuchUser,
    /// Refused: the account is the last admin and the new role is not.
    LastAdmin,
}

/// Changes a role, never leaving the server without an admin.
pub fn set_role(conn: &mut DbConn, id: UserId, role: Role) -> Result<RoleChange, DbError> {
    super::write_transaction(conn, |conn| {
        let Some(row) = find(conn, id)? else {
            return Ok(RoleChange::NoSuchUser);
        };
        let admin = Role::Admin.as_str();
        if row.role == admin && role != Role::Admin {
            let admins: i64 = users::table
                .filter(users::role.eq(admin))
                .count()
                .get_result(conn)?;
            if admins <= 1 {
                return Ok(RoleChange::LastAdmin);
            }
        }
        diesel::update(users::table.find(id.0))
            .set(users::role.eq(role.as_str()))
            .execute(conn)?;
        Ok(find(conn, id)?.map_or(RoleChange::NoSuchUser, |row| {
            RoleChange::Changed(Box::new(row))
        }))
    })
}

/// Deletes the account; foreign keys cascade to everything it owns.
/// Returns whether a row was deleted.
pub fn delete(conn: &mut DbConn, id: UserId) -> Result<bool, DbError> {
    Ok(diesel::delete(users::table.find(id.0)).execute(conn)? > 0)
}

/// Accounts by lower-cased usernames; missing names are simply absent.
pub fn find_by_usernames(conn: &mut DbConn, lowers: &[String]) -> Result<Vec<UserRow>, DbError> {
    // Stored names never hold a NUL, and PostgreSQL refuses one in a query.
    let lowers: Vec<&String> = lowers.iter().filter(|l| !l.contains('\0')).collect();
    Ok(users::table
        .filter(users::username_lower.eq_any(lowers))
        .select(UserRow::as_select())
        .load(conn)?)
}

/// Disables (`Some(when)`) or re-enables (`None`) an account; the updated
/// row, or `None` when there is no such user.
pub fn set_disabled(
    conn: &mut DbConn,
    id: UserId,
    disabled_at: Option<NaiveDateTime>,
) -> Result<Option<UserRow>, DbError> {
    let n = diesel::update(users::table.find(id.0))
        .set(users::disabled_at.eq(disabled_at))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    find(conn, id)
}

pub fn set_password_hash(conn: &mut DbConn, id: UserId, hash: &str) -> Result<bool, DbError> {
    Ok(diesel::update(users::table.find(id.0))
        .set(users::password_hash.eq(hash))
        .execute(conn)?
        > 0)
}

/// Sets the profile fields given (`Some(None)` clears one); the updated row.
pub fn set_profile(
    conn: &mut DbConn,
    id: UserId,
    display_name: Option<Option<&str>>,
    avatar_upload_id: Option<Option<i64>>,
) -> Result<Option<UserRow>, DbError> {
    if let Some(name) = display_name {
        diesel::update(users::table.find(id.0))
            .set(users::display_name.eq(name))
            .execute(conn)?;
    }
    if let Some(avatar) = avatar_upload_id {
        diesel::update(users::table.find(id.0))
            .set(users::avatar_upload_id.eq(avatar))
            .execute(conn)?;
    }
    find(conn, id)
}
