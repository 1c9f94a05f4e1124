//! Uploaded files: one row per upload, pointing at its bytes in storage.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{uploads, users};
use super::{DbConn, DbError};
use crate::domain::{StoredThumbnail, StoredUpload};
use crate::on_backend;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = uploads)]
pub struct UploadRow {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub storage_key: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub thumb_key: Option<String>,
    pub thumb_content_type: Option<String>,
    pub thumb_size: Option<i64>,
    pub created_at: NaiveDateTime,
    /// Also orders a message's attachments: see [`attach`].
    pub attached_at: Option<NaiveDateTime>,
    pub message_id: Option<i64>,
}

impl From<UploadRow> for StoredUpload {
    fn from(row: UploadRow) -> StoredUpload {
        let thumbnail = match (row.thumb_key, row.thumb_content_type, row.thumb_size) {
            (Some(storage_key), Some(content_type), Some(size)) => Some(StoredThumbnail {
                storage_key,
                content_type,
                size,
            }),
            _ => None,
        };
        StoredUpload {
            id: row.id,
            name: row.name,
            content_type: row.content_type,
            size: row.size,
            width: row.width,
            height: row.height,
            duration_ms: row.duration_ms,
            storage_key: row.storage_key,
            sha256: row.sha256,
            thumbnail,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = uploads)]
pub struct NewUpload {
    pub owner_id: Option<i64>,
    pub storage_key: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub thumb_key: Option<String>,
    pub thumb_content_type: Option<String>,
    pub thumb_size: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Why [`create_within_quota`] stored nothing.
#[derive(Debug)]
pub enum Refused {
    /// The owner's stored bytes plus this upload would pass the quota.
    Quota,
    /// The owner no longer exists.
    NoOwner,
}

/// Inserts `new` if its owner's uploads plus this one stay within `quota`
/// bytes. Run inside a write transaction: the owner's row is locked first on
/// PostgreSQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so two
/// concurrent uploads cannot both squeeze under the quota.
pub fn create_within_quota(
    conn: &mut DbConn,
    new: &NewUpload,
    quota: i64,
) -> Result<Result<UploadRow, Refused>, DbError> {
    let Some(owner) = new.owner_id else {
        return Ok(Err(Refused::NoOwner));
    };
    let exists = match conn {
        DbConn::Pg(c) => users::table
            .find(owner)
            .select(users::id)
            .for_update()
            .first::<i64>(c)
            .optional()?,
        DbConn::Sqlite(c) => users::table
            .find(owner)
            .select(users::id)
            .first::<i64>(c)
            .optional()?,
    };
    if exists.is_none() {
        return Ok(Err(Refused::NoOwner));
    }
    if used_bytes(conn, owner)?.saturating_add(new.size) > quota {
        return Ok(Err(Refused::Quota));
    }
    let row = on_backend!(conn, c => diesel::insert_into(uploads::table)
        .values(new)
        .returning(UploadRow::as_returning())
        .get_result(c))?;
    Ok(Ok(row))
}

/// Finds an upload that is still reachable: its owner exists and, if it was
/// attached, so does its message (other rows only wait for the sweep).
pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<UploadRow>, DbError> {
    Ok(uploads::table
        .find(id)
        .filter(uploads::owner_id.is_not_null())
        .filter(
            uploads::attached_at
                .is_null()
                .or(uploads::message_id.is_not_null()),
        )
        .select(UploadRow::as_select())
        .first(conn)
        .optional()?)
}

/// Bytes stored for `owner` (uses `uploads_owner`): what the quota counts.
pub fn used_bytes(conn: &mut DbConn, owner: i64) -> Result<i64, DbError> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back for both backends.
    Ok(uploads::table
        .filter(uploads::owner_id.eq(owner))
        .select(sql::<BigInt>("CAST(COALESCE(SUM(size), 0) AS BIGINT)"))
        .first(conn)?)
}

/// Marks uploads as attached to `message_id`, in the order given (the
/// history writer calls this when a message with attachments is stored).
/// Only the owner's unattached uploads are taken; returns how many were.
///
/// The n-th upload is attached at `now` + n µs, so `attached_at` keeps the
/// order the sender listed them in (the table is at Diesel's 16 columns,
/// and a position column would cost every build the 32-column feature).
/// A statement per upload: at most ten, and only for messages with files.
pub fn attach(
    conn: &mut DbConn,
    ids: &[i64],
    owner: i64,
    message_id: i64,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut taken = 0;
    for (position, id) in (0i64..).zip(ids) {
        let at = now + chrono::Duration::microseconds(position);
        taken += diesel::update(
            uploads::table
                .find(id)
                .filter(uploads::owner_id.eq(owner))
                .filter(uploads::attached_at.is_null()),
        )
        .set((
            uploads::attached_at.eq(at),
            uploads::message_id.eq(message_id),
        ))
        .execute(conn)?;
    }
    Ok(taken)
}

/// Storage keys of one deleted row: the file and its thumbnail, if any.
pub type StoredKeys = (String, Option<String>);

/// Deletes, and returns the storage keys of, up to `limit` rows nobody can
/// reach any more: never attached and created before `cutoff`, or whose
/// owner or message was deleted (the foreign keys set those to NULL). The
/// caller then deletes the bytes. Deleting with RETURNING means two instances
/// sweeping at once never both take a row.
pub fn delete_unreachable(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
    limit: i64,
) -> Result<Vec<StoredKeys>, DbError> {
    // Written out twice (select, then delete) so a row attached in between
    // no longer matches and stays.
    macro_rules! unreachable_rows {
        () => {
            uploads::attached_at
                .is_null()
                .and(uploads::created_at.lt(cutoff))
                // A user's current avatar is never attached, yet reachable.
                .and(
                    uploads::id.nullable().ne_all(
                        users::table
                            .filter(users::avatar_upload_id.is_not_null())
                            .select(users::avatar_upload_id),
                    ),
                )
                .or(uploads::owner_id.is_null())
                .or(uploads::attached_at
                    .is_not_null()
                    .and(uploads::message_id.is_null()))
        };
    }
    let ids: Vec<i64> = uploads::table
        .filter(unreachable_rows!())
        .select(uploads::id)
        .order(uploads::id)
        .limit(limit)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys = on_backend!(conn, c => diesel::delete(
            uploads::table
                .filter(uploads::id.eq_any(&ids))
                .filter(unreachable_rows!()),
        )
        .returning((uploads::storage_key, uploads::thumb_key))
        .get_results(c))?;
    Ok(keys)
}

/// Deletes one row by id and returns its keys (for callers that delete a
/// file at once rather than waiting for the sweep).
pub fn delete(conn: &mut DbConn, id: i64) -> Result<Option<StoredKeys>, DbError> {
    Ok(
        on_backend!(conn, c => diesel::delete(uploads::table.find(id))
        .returning((uploads::storage_key, uploads::thumb_key))
        .get_result(c)
        .optional())?,
    )
}

/// A reachable upload of `owner` (what a profile may take as its avatar).
pub fn find_owned(conn: &mut DbConn, id: i64, owner: i64) -> Result<Option<UploadRow>, DbError> {
    Ok(find(conn, id)?.filter(|row| row.owner_id == Some(owner)))
}

/// The upload if it is some user's current avatar (those are served
/// without a signature).
pub fn find_avatar(conn: &mut DbConn, id: i64) -> Result<Option<UploadRow>, DbError> {
    let is_avatar = users::table
        .filter(users::avatar_upload_id.eq(id))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if !is_avatar {
        return Ok(None);
    }
    find(conn, id)
}
