//! **Resolve**: every send's outcome in batch order (a plain function),
//! with what refused sends are told, and each chat's newest message.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::matching::Matched;
use super::plan::{Decision, Plan};
use super::{PendingMessage, Stored};
use crate::db::messages::MessageRow;
use crate::db::{chats, DbConn, DbError};
use crate::domain::{ChatId, MessageId, UserId};

/// Whether each chat a refused send was for is public (then the sender is
/// told `forbidden`, else `not_found`).
pub(super) fn refused_chats(
    conn: &mut DbConn,
    batch: &[PendingMessage],
    plan: &Plan,
) -> Result<HashMap<ChatId, bool>, DbError> {
    let mut public = HashMap::new();
    for (item, decision) in batch.iter().zip(&plan.decisions) {
        if *decision == Decision::Refused && !public.contains_key(&item.chat_id) {
            let chat = chats::find(conn, item.chat_id)?;
            public.insert(item.chat_id, chat.is_some_and(|c| c.is_public()));
        }
    }
    Ok(public)
}

/// Resolve: every send's outcome, in batch order.
pub(super) fn resolve(
    plan: &Plan,
    matched: Matched,
    mut earlier: HashMap<(UserId, String), MessageRow>,
    public: &HashMap<ChatId, bool>,
    batch: &[PendingMessage],
) -> Result<Vec<Stored>, DbError> {
    let mut out: Vec<Option<Stored>> = vec![None; batch.len()];
    for (i, row) in matched.stored {
        out[i] = Some(Stored::Message(row, true, Vec::new()));
    }
    for i in matched.retried {
        let key = (
            batch[i].sender_id,
            batch[i].client_id.clone().unwrap_or_default(),
        );
        let row = earlier.remove(&key).ok_or(DbError::BatchMismatch)?;
        out[i] = Some(Stored::Message(row, false, Vec::new()));
    }
    for (i, decision) in plan.decisions.iter().enumerate() {
        match *decision {
            Decision::Refused => {
                let public = public.get(&batch[i].chat_id).copied().unwrap_or(false);
                out[i] = Some(Stored::NotMember { public });
            }
            // The first send comes earlier in the batch: already resolved.
            Decision::BadReply => out[i] = Some(Stored::BadReply),
            Decision::Replay(first) => match &out[first] {
                Some(Stored::Message(row, _, _)) => {
                    out[i] = Some(Stored::Message(row.clone(), false, Vec::new()))
                }
                Some(Stored::BadAttachments(why)) => out[i] = Some(Stored::BadAttachments(why)),
                _ => return Err(DbError::BatchMismatch),
            },
            Decision::BadAttachments(why) => out[i] = Some(Stored::BadAttachments(why)),
            Decision::Insert => {}
        }
    }
    out.into_iter()
        .map(|s| s.ok_or(DbError::BatchMismatch))
        .collect()
}

/// Each chat's newest message among those stored now.
pub(super) fn newest(outcomes: &[Stored]) -> Vec<(ChatId, MessageId, NaiveDateTime)> {
    let mut newest: HashMap<ChatId, (MessageId, NaiveDateTime)> = HashMap::new();
    for outcome in outcomes {
        if let Stored::Message(row, true, _) = outcome {
            let entry = newest
                .entry(row.chat_id)
                .or_insert((row.id, row.created_at));
            if row.id > entry.0 {
                *entry = (row.id, row.created_at);
            }
        }
    }
    newest
        .into_iter()
        .map(|(c, (id, at))| (c, id, at))
        .collect()
}
