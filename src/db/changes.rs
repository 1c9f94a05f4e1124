//! Changes to stored messages: edit, delete, react. Each runs in one write
//! transaction that checks who may make it, applies it and takes the
//! message's new version from its chat's counter.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::messages::{mentions_column, MessageRow};
use super::schema::messages;
use super::{attachments, chats, members, mentions, reactions, DbConn, DbError};
use crate::domain::text::search_text;
use crate::domain::{Change, ChangeRequest, MemberRole};

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeOutcome {
    /// The message's state now, and whether this request changed it.
    Done(MessageRow, bool),
    /// Not a member: the chat is public (`forbidden`) or hidden (`not_found`).
    NotMember { public: bool },
    /// No such message in the chat (or it is deleted, for what needs it live).
    NoMessage,
    /// Not the sender (edit), nor owner nor admin (delete).
    NotAllowed,
    /// A new emoji past the per-message limit.
    TooManyEmoji,
}

/// Applies `req` at time `at` (an edit's `edited_at`).
pub fn apply(
    conn: &mut DbConn,
    req: &ChangeRequest,
    at: NaiveDateTime,
) -> Result<ChangeOutcome, DbError> {
    super::write_transaction(conn, |conn| {
        let member = members::find(conn, req.chat_id, req.actor)?;
        if member.is_none() && !(req.actor_is_admin && req.change == Change::Delete) {
            let public = chats::find(conn, req.chat_id)?.is_some_and(|c| c.is_public());
            return Ok(ChangeOutcome::NotMember { public });
        }
        let Some(row) = super::messages::find(conn, req.chat_id, req.message_id)? else {
            return Ok(ChangeOutcome::NoMessage);
        };
        let owner = member.is_some_and(|m| m.role() == MemberRole::Owner);
        match &req.change {
            Change::Delete if row.sender_id != req.actor && !owner && !req.actor_is_admin => {
                return Ok(ChangeOutcome::NotAllowed)
            }
            Change::Delete if row.is_deleted() => return Ok(ChangeOutcome::Done(row, false)),
            _ if row.is_deleted() => return Ok(ChangeOutcome::NoMessage),
            Change::Edit { .. } if row.sender_id != req.actor => {
                return Ok(ChangeOutcome::NotAllowed)
            }
            Change::Edit { body } if *body == row.body => {
                return Ok(ChangeOutcome::Done(row, false))
            }
            _ => {}
        }
        let changed = match &req.change {
            Change::Edit { body } => {
                edit(conn, &row, body, at)?;
                true
            }
            Change::Delete => {
                delete(conn, &row)?;
                true
            }
            Change::React { emoji, add: true } => {
                let (has, distinct) = reactions::distinct(conn, row.id, emoji)?;
                if !has && distinct >= reactions::MAX_DISTINCT {
                    return Ok(ChangeOutcome::TooManyEmoji);
                }
                reactions::add(conn, row.id, req.actor, emoji)?
            }
            Change::React { emoji, add: false } => {
                reactions::remove(conn, row.id, req.actor, emoji)?
            }
        };
        if !changed {
            return Ok(ChangeOutcome::Done(row, false));
        }
        let version = chats::bump_versions(conn, &[(req.chat_id, 1)])?
            .remove(&req.chat_id)
            .ok_or(DbError::NotFound)?;
        diesel::update(messages::table.find(row.id.0))
            .set(messages::version.eq(version))
            .execute(conn)?;
        let row =
            super::messages::find(conn, req.chat_id, req.message_id)?.ok_or(DbError::NotFound)?;
        Ok(ChangeOutcome::Done(row, true))
    })
}

fn edit(conn: &mut DbConn, row: &MessageRow, body: &str, at: NaiveDateTime) -> Result<(), DbError> {
    let body_chat = [(row.chat_id, body)];
    let mentioned = mentions::resolve(conn, &body_chat)?
        .pop()
        .unwrap_or_default();
    diesel::update(messages::table.find(row.id.0))
        .set((
            messages::body.eq(body),
            messages::edited_at.eq(Some(at)),
            messages::mentions.eq(mentions_column(&mentioned)),
            messages::search_text.eq(search_text(body)),
        ))
        .execute(conn)?;
    mentions::clear(conn, row.id)?;
    mentions::insert(conn, row.chat_id, row.id, row.sender_id, &mentioned)
}

/// A deleted message keeps its id and place; what it said goes.
fn delete(conn: &mut DbConn, row: &MessageRow) -> Result<(), DbError> {
    diesel::update(messages::table.find(row.id.0))
        .set((
            messages::deleted.eq(1),
            messages::body.eq(""),
            messages::reply_to_id.eq(None::<i64>),
            messages::mentions.eq(""),
            messages::search_text.eq(""),
        ))
        .execute(conn)?;
    mentions::clear(conn, row.id)?;
    // Its files stop being served at once; the sweep deletes their bytes.
    attachments::release(conn, &[row.id])?;
    reactions::clear(conn, row.id)
}
