//! PostgreSQL: the membership check, the chats' version counters, the
//! insert and each chat's newest message in one statement (issue 12). Each
//! statement is a round trip inside the writer's transaction, during which
//! every send of the batch waits for its ack; checking membership and
//! blocks, bumping versions, inserting and touching the chats were five.
//!
//! Every send of the batch goes in (those the plan will not insert too, so
//! that a non-member learns nothing from a bad `reply_to`); each comes back
//! either as its stored row or refused (not a member, or blocked). The
//! chats touched are locked in id order before any message id is taken, so
//! within a chat ids still follow commit order across instances, and two
//! instances lock in the same order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text, Timestamp};
use diesel::PgConnection;

use super::phases::{Decision, Plan};
use super::PendingMessage;
use crate::db::messages::{mentions_column, MessageRow};
use crate::db::DbError;
use crate::domain::{text, ChatId, MessageId, UserId};

const STATEMENT: &str = "
WITH v AS (
    SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::text[], $5::text[],
                         $6::timestamp[], $7::int8[], $8::text[], $9::text[], $10::bool[])
        AS v(idx, chat_id, sender_id, body, client_id, created_at, reply_to_id,
             mentions, search_text, ins)
),
locked AS (
    SELECT id, kind FROM chats WHERE id IN (SELECT chat_id FROM v) ORDER BY id FOR UPDATE
),
checked AS (
    SELECT v.*,
        EXISTS (SELECT 1 FROM chat_members m
                WHERE m.chat_id = v.chat_id AND m.user_id = v.sender_id) AS member,
        COALESCE(l.kind = 'direct' AND EXISTS (
            SELECT 1 FROM blocks b JOIN chat_members o ON o.user_id = b.blocker_id
            WHERE b.blocked_id = v.sender_id AND o.chat_id = v.chat_id), false) AS blocked
    FROM v LEFT JOIN locked l ON l.id = v.chat_id
),
ok AS (
    SELECT nextval('messages_id_seq') AS id, c.*
    FROM (SELECT * FROM checked WHERE ins AND member AND NOT blocked ORDER BY idx) c
),
bump AS (
    UPDATE chats SET version = chats.version + s.n, last_message_id = s.last_id,
                     activity_at = s.at
    FROM (SELECT chat_id, count(*) AS n, max(id) AS last_id, max(created_at) AS at
          FROM ok GROUP BY chat_id) s
    WHERE chats.id = s.chat_id
    RETURNING chats.id, chats.version, s.n
),
ins AS (
    INSERT INTO messages (id, chat_id, sender_id, body, client_id, created_at, version,
                          reply_to_id, mentions, search_text)
    SELECT ok.id, ok.chat_id, ok.sender_id, ok.body, ok.client_id, ok.created_at,
           b.version - b.n + row_number() OVER (PARTITION BY ok.chat_id ORDER BY ok.idx),
           ok.reply_to_id, ok.mentions, ok.search_text
    FROM ok JOIN bump b ON b.id = ok.chat_id
    ON CONFLICT DO NOTHING
    RETURNING id, chat_id, sender_id, body, client_id, created_at, version, edited_at,
              deleted, reply_to_id, mentions
)
SELECT ins.*, ok.idx, 0 AS refused FROM ins JOIN ok ON ok.id = ins.id
UNION ALL
SELECT 0::int8, c.chat_id, c.sender_id, ''::text, NULL::text, c.created_at, 0::int8,
       NULL::timestamp, 0, NULL::int8, ''::text, c.idx,
       CASE WHEN c.blocked THEN 2 ELSE 1 END
FROM checked c WHERE c.blocked OR NOT c.member";

#[derive(QueryableByName)]
struct Out {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    chat_id: i64,
    #[diesel(sql_type = BigInt)]
    sender_id: i64,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Nullable<Text>)]
    client_id: Option<String>,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    edited_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Integer)]
    deleted: i32,
    #[diesel(sql_type = Nullable<BigInt>)]
    reply_to_id: Option<i64>,
    #[diesel(sql_type = Text)]
    mentions: String,
    #[diesel(sql_type = BigInt)]
    idx: i64,
    /// 0 stored, 1 not a member, 2 blocked.
    #[diesel(sql_type = Integer)]
    refused: i32,
}

/// The rows stored now (by id) and the indexes of the sends refused for
/// a block; sends refused as non-members become `Decision::Refused` in
/// `plan`, and every refused send leaves `plan.inserts`.
pub(super) fn insert_checked(
    pg: &mut PgConnection,
    batch: &[PendingMessage],
    plan: &mut Plan,
    mentioned: &[Vec<UserId>],
) -> Result<(Vec<MessageRow>, Vec<usize>), DbError> {
    let ins: Vec<bool> = plan
        .decisions
        .iter()
        .map(|d| *d == Decision::Insert)
        .collect();
    let out: Vec<Out> = diesel::sql_query(STATEMENT)
        .bind::<Array<BigInt>, _>((0..batch.len() as i64).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(batch.iter().map(|m| m.chat_id.0).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(batch.iter().map(|m| m.sender_id.0).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(batch.iter().map(|m| m.body.as_str()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(
            batch
                .iter()
                .map(|m| m.client_id.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Timestamp>, _>(batch.iter().map(|m| m.created_at).collect::<Vec<_>>())
        .bind::<Array<Nullable<BigInt>>, _>(
            batch
                .iter()
                .map(|m| m.reply_to.map(|r| r.0))
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Text>, _>(
            mentioned
                .iter()
                .map(|m| mentions_column(m))
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Text>, _>(
            batch
                .iter()
                .zip(&ins)
                .map(|(m, &ins)| {
                    if ins {
                        text::search_text(&m.body)
                    } else {
                        String::new()
                    }
                })
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Bool>, _>(ins)
        .load(pg)?;
    let mut rows = Vec::with_capacity(out.len());
    let mut refused = vec![false; batch.len()];
    let mut blocked = Vec::new();
    for o in out {
        let i = usize::try_from(o.idx).map_err(|_| DbError::BatchMismatch)?;
        match o.refused {
            0 => rows.push(MessageRow {
                id: MessageId(o.id),
                chat_id: ChatId(o.chat_id),
                sender_id: UserId(o.sender_id),
                body: o.body,
                client_id: o.client_id,
                created_at: o.created_at,
                version: o.version,
                edited_at: o.edited_at,
                deleted: o.deleted,
                reply_to_id: o.reply_to_id,
                mentions: o.mentions,
            }),
            why => {
                *refused.get_mut(i).ok_or(DbError::BatchMismatch)? = true;
                // Refused before anything else, as the up-front check does.
                plan.decisions[i] = Decision::Refused;
                if why == 2 {
                    blocked.push(i);
                }
            }
        }
    }
    plan.inserts.retain(|&i| !refused[i]);
    rows.sort_by_key(|r| r.id);
    Ok((rows, blocked))
}
