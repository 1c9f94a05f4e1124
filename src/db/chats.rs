//! Chats.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{chat_members, chats};
use super::{DbConn, DbError};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chats)]
pub struct ChatRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub is_public: i32,
    pub owner_id: Option<i64>,
    pub direct_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub activity_at: NaiveDateTime,
    pub last_message_id: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = chats)]
pub struct NewChat<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub is_public: i32,
    pub owner_id: Option<i64>,
    pub direct_key: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub activity_at: NaiveDateTime,
}

/// Inserts a chat; a second direct chat for one pair is `UniqueViolation`.
pub fn create(conn: &mut DbConn, new: &NewChat) -> Result<ChatRow, DbError> {
    let row = on_backend!(conn, c => diesel::insert_into(chats::table)
        .values(new)
        .returning(ChatRow::as_returning())
        .get_result(c))?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<ChatRow>, DbError> {
    Ok(chats::table
        .find(id)
        .select(ChatRow::as_select())
        .first(conn)
        .optional()?)
}

/// The direct chat of a pair (uses `chats_direct_key`).
pub fn find_direct(conn: &mut DbConn, key: &str) -> Result<Option<ChatRow>, DbError> {
    Ok(chats::table
        .filter(chats::direct_key.eq(key))
        .select(ChatRow::as_select())
        .first(conn)
        .optional()?)
}

/// Public chats, most recently active first (uses `chats_public`).
pub fn list_public(conn: &mut DbConn, limit: i64, offset: i64) -> Result<Vec<ChatRow>, DbError> {
    Ok(chats::table
        .filter(chats::is_public.eq(1))
        .order((chats::activity_at.desc(), chats::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(ChatRow::as_select())
        .load(conn)?)
}

/// The user's chats with their membership rows, most recent activity first.
pub fn list_for_user(
    conn: &mut DbConn,
    user_id: i64,
) -> Result<Vec<(ChatRow, String, i64)>, DbError> {
    Ok(chats::table
        .inner_join(chat_members::table)
        .filter(chat_members::user_id.eq(user_id))
        .order((chats::activity_at.desc(), chats::id.desc()))
        .select((
            ChatRow::as_select(),
            chat_members::role,
            chat_members::last_read_id,
        ))
        .load(conn)?)
}

pub fn set_owner(conn: &mut DbConn, id: i64, owner: Option<i64>) -> Result<(), DbError> {
    diesel::update(chats::table.find(id))
        .set(chats::owner_id.eq(owner))
        .execute(conn)?;
    Ok(())
}

/// Records a chat's newest message (one per chat: `(chat, message id, time)`).
pub fn touch(conn: &mut DbConn, newest: &[(i64, i64, NaiveDateTime)]) -> Result<(), DbError> {
    if newest.is_empty() {
        return Ok(());
    }
    match conn {
        // One statement however many chats a batch touched: on PostgreSQL
        // every statement is a round trip inside the writer's transaction.
        DbConn::Pg(pg) => {
            use diesel::sql_types::{Array, BigInt, Timestamp};
            let ids: Vec<i64> = newest.iter().map(|n| n.0).collect();
            let last: Vec<i64> = newest.iter().map(|n| n.1).collect();
            let at: Vec<NaiveDateTime> = newest.iter().map(|n| n.2).collect();
            diesel::sql_query(
                "UPDATE chats SET last_message_id = v.last_id, activity_at = v.at \
                 FROM unnest($1, $2, $3) AS v(id, last_id, at) WHERE chats.id = v.id",
            )
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<BigInt>, _>(last)
            .bind::<Array<Timestamp>, _>(at)
            .execute(pg)?;
        }
        // In-process: a statement per chat costs no round trip.
        DbConn::Sqlite(lite) => {
            for &(id, last_message_id, at) in newest {
                diesel::update(chats::table.find(id))
                    .set((
                        chats::last_message_id.eq(last_message_id),
                        chats::activity_at.eq(at),
                    ))
                    .execute(lite)?;
            }
        }
    }
    Ok(())
}

/// Deletes the chat; members and messages cascade.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(chats::table.find(id)).execute(conn)? > 0)
}
