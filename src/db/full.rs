//! Messages with what the contract's message object shows beside the row:
//! the sender's name, reactions and the quoted original of a reply, loaded
//! for a whole page with one query each.

use std::collections::HashMap;

use diesel::prelude::*;

use super::messages::{MessageRow, MessageWithSender};
use super::reactions::{self, ReactionRow};
use super::schema::{messages, users};
use super::{DbConn, DbError};
use crate::domain::{MessageId, UserId};

/// The replied-to message as a reply shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted {
    pub id: MessageId,
    pub sender_id: UserId,
    pub username: String,
    pub body: String,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FullMessage {
    pub row: MessageRow,
    pub username: String,
    pub reactions: Vec<ReactionRow>,
    pub reply: Option<Quoted>,
}

/// Which extra queries a caller knows it can skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reactions {
    /// Load them.
    Load,
    /// The messages were stored just now and have none.
    None,
}

/// Completes rows for the message object: reactions (unless `Reactions::None`)
/// and quoted originals, one query each, none when nothing needs it.
pub fn complete(
    conn: &mut DbConn,
    rows: Vec<MessageWithSender>,
    load: Reactions,
) -> Result<Vec<FullMessage>, DbError> {
    let live: Vec<MessageId> = rows
        .iter()
        .filter(|(r, _)| !r.is_deleted())
        .map(|(r, _)| r.id)
        .collect();
    let mut reactions = match load {
        Reactions::Load => reactions::of(conn, &live)?,
        Reactions::None => HashMap::new(),
    };
    let quoted_ids: Vec<i64> = rows.iter().filter_map(|(r, _)| r.reply_to_id).collect();
    let quoted: HashMap<MessageId, Quoted> = if quoted_ids.is_empty() {
        HashMap::new()
    } else {
        messages::table
            .inner_join(users::table)
            .filter(messages::id.eq_any(quoted_ids))
            .select((MessageRow::as_select(), users::username))
            .load::<MessageWithSender>(conn)?
            .into_iter()
            .map(|(r, username)| (r.id, quote(r, username)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|(row, username)| FullMessage {
            reactions: reactions.remove(&row.id).unwrap_or_default(),
            reply: row.reply_to().and_then(|id| quoted.get(&id).cloned()),
            row,
            username,
        })
        .collect())
}

/// Quotes are cut to this many characters.
const QUOTE_CHARS: usize = 200;

fn quote(row: MessageRow, username: String) -> Quoted {
    Quoted {
        id: row.id,
        sender_id: row.sender_id,
        username,
        deleted: row.is_deleted(),
        body: row.body.chars().take(QUOTE_CHARS).collect(),
    }
}
