//! Chats.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::members::member_role;
use super::schema::{chat_members, chats};
use super::{DbConn, DbError};
use crate::domain::{ChatId, ChatKind, MemberRole, MessageId, UserId};
use crate::on_backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chats)]
pub struct ChatRow {
    #[diesel(deserialize_as = i64)]
    pub id: ChatId,
    pub name: String,
    kind: String,
    is_public: i32,
    owner_id: Option<i64>,
    pub direct_key: Option<String>,
    pub created_at: NaiveDateTime,
    pub activity_at: NaiveDateTime,
    last_message_id: Option<i64>,
    /// The chat's change counter: the highest message version given out.
    pub version: i64,
}

impl ChatRow {
    pub fn kind(&self) -> ChatKind {
        if self.kind == "direct" {
            ChatKind::Direct
        } else {
            ChatKind::Group
        }
    }

    pub fn is_public(&self) -> bool {
        self.is_public == 1
    }

    pub fn owner_id(&self) -> Option<UserId> {
        self.owner_id.map(UserId)
    }

    pub fn last_message_id(&self) -> Option<MessageId> {
        self.last_message_id.map(MessageId)
    }
}

fn kind_column(kind: ChatKind) -> &'static str {
    match kind {
        ChatKind::Group => "group",
        ChatKind::Direct => "direct",
    }
}

/// A chat to create.
#[derive(Debug)]
pub struct NewChat<'a> {
    pub name: &'a str,
    pub kind: ChatKind,
    pub public: bool,
    pub owner_id: Option<UserId>,
    /// The pair's key, for direct chats.
    pub direct_key: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = chats)]
struct ChatInsert<'a> {
    name: &'a str,
    kind: &'a str,
    is_public: i32,
    owner_id: Option<i64>,
    direct_key: Option<&'a str>,
    created_at: NaiveDateTime,
    activity_at: NaiveDateTime,
}

/// Inserts a chat; a second direct chat for one pair is `UniqueViolation`.
pub fn create(conn: &mut DbConn, new: &NewChat) -> Result<ChatRow, DbError> {
    let row = ChatInsert {
        name: new.name,
        kind: kind_column(new.kind),
        is_public: i32::from(new.public),
        owner_id: new.owner_id.map(i64::from),
        direct_key: new.direct_key,
        created_at: new.created_at,
        activity_at: new.created_at,
    };
    let row = on_backend!(conn, c => diesel::insert_into(chats::table)
        .values(&row)
        .returning(ChatRow::as_returning())
        .get_result(c))?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: ChatId) -> Result<Option<ChatRow>, DbError> {
    Ok(chats::table
        .find(id.0)
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

/// Public chats, most recently active first (`chats_public` holds only
/// public chats: on SQLite in this order, on PostgreSQL sorted after, so
/// that updating a chat's activity stays a HOT update).
pub fn list_public(conn: &mut DbConn, limit: i64, offset: i64) -> Result<Vec<ChatRow>, DbError> {
    Ok(chats::table
        .filter(chats::is_public.eq(1))
        .order((chats::activity_at.desc(), chats::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(ChatRow::as_select())
        .load(conn)?)
}

/// The user's chats with their role and read marker, most recent activity first.
pub fn list_for_user(
    conn: &mut DbConn,
    user_id: UserId,
) -> Result<Vec<(ChatRow, MemberRole, MessageId)>, DbError> {
    let rows: Vec<(ChatRow, String, i64)> = chats::table
        .inner_join(chat_members::table)
        .filter(chat_members::user_id.eq(user_id.0))
        .order((chats::activity_at.desc(), chats::id.desc()))
        .select((
            ChatRow::as_select(),
            chat_members::role,
            chat_members::last_read_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(chat, role, read)| (chat, member_role(&role), MessageId(read)))
        .collect())
}

pub fn set_owner(conn: &mut DbConn, id: ChatId, owner: Option<UserId>) -> Result<(), DbError> {
    diesel::update(chats::table.find(id.0))
        .set(chats::owner_id.eq(owner.map(i64::from)))
        .execute(conn)?;
    Ok(())
}

/// Records a chat's newest message (one per chat: `(chat, message id, time)`).
pub fn touch(
    conn: &mut DbConn,
    newest: &[(ChatId, MessageId, NaiveDateTime)],
) -> Result<(), DbError> {
    if newest.is_empty() {
        return Ok(());
    }
    match conn {
        // One statement however many chats a batch touched: on PostgreSQL
        // every statement is a round trip inside the writer's transaction.
        DbConn::Pg(pg) => {
            use diesel::sql_types::{Array, BigInt, Timestamp};
            let ids: Vec<i64> = newest.iter().map(|n| n.0 .0).collect();
            let last: Vec<i64> = newest.iter().map(|n| n.1 .0).collect();
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
                diesel::update(chats::table.find(id.0))
                    .set((
                        chats::last_message_id.eq(last_message_id.0),
                        chats::activity_at.eq(at),
                    ))
                    .execute(lite)?;
            }
        }
    }
    Ok(())
}

/// Deletes the chat; members and messages cascade.
pub fn delete(conn: &mut DbConn, id: ChatId) -> Result<bool, DbError> {
    Ok(diesel::delete(chats::table.find(id.0)).execute(conn)? > 0)
}

/// Takes `count` versions for each chat from its change counter, in the
/// caller's transaction (the row lock orders concurrent writers); returns
/// each chat's new counter, the highest version taken.
pub fn bump_versions(
    conn: &mut DbConn,
    counts: &[(ChatId, i64)],
) -> Result<HashMap<ChatId, i64>, DbError> {
    if counts.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = match conn {
        // One statement however many chats: a round trip each would cost.
        DbConn::Pg(pg) => {
            use diesel::sql_types::{Array, BigInt};
            #[derive(QueryableByName)]
            struct Bumped {
                #[diesel(sql_type = BigInt)]
                id: i64,
                #[diesel(sql_type = BigInt)]
                version: i64,
            }
            let ids: Vec<i64> = counts.iter().map(|c| c.0 .0).collect();
            let by: Vec<i64> = counts.iter().map(|c| c.1).collect();
            diesel::sql_query(
                "UPDATE chats SET version = chats.version + v.n \
                 FROM unnest($1, $2) AS v(id, n) WHERE chats.id = v.id \
                 RETURNING chats.id, chats.version",
            )
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<BigInt>, _>(by)
            .load::<Bumped>(pg)?
            .into_iter()
            .map(|b| (b.id, b.version))
            .collect()
        }
        DbConn::Sqlite(lite) => {
            let mut out = Vec::with_capacity(counts.len());
            for &(id, n) in counts {
                let version: Option<i64> = diesel::update(chats::table.find(id.0))
                    .set(chats::version.eq(chats::version + n))
                    .returning(chats::version)
                    .get_result(lite)
                    .optional()?;
                out.extend(version.map(|v| (id.0, v)));
            }
            out
        }
    };
    Ok(rows.into_iter().map(|(c, v)| (ChatId(c), v)).collect())
}

/// The change counters of the chats that exist among `ids` (SQLite's
/// writer reads them and records the new ones with [`touch_versioned`]:
/// one statement per chat instead of two; it holds the write lock).
pub fn versions(conn: &mut DbConn, ids: &[ChatId]) -> Result<HashMap<ChatId, i64>, DbError> {
    let ids: Vec<i64> = ids.iter().map(|c| c.0).collect();
    Ok(chats::table
        .filter(chats::id.eq_any(ids))
        .select((chats::id, chats::version))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .map(|(c, v)| (ChatId(c), v))
        .collect())
}

/// [`touch`] that also sets each chat's change counter (the last field).
pub fn touch_versioned(
    conn: &mut DbConn,
    newest: &[(ChatId, MessageId, NaiveDateTime, i64)],
) -> Result<(), DbError> {
    for &(id, last_message_id, at, version) in newest {
        diesel::update(chats::table.find(id.0))
            .set((
                chats::last_message_id.eq(last_message_id.0),
                chats::activity_at.eq(at),
                chats::version.eq(version),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A chat's change counter (0 when there is no such chat).
pub fn version(conn: &mut DbConn, id: ChatId) -> Result<i64, DbError> {
    Ok(chats::table
        .find(id.0)
        .select(chats::version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}
