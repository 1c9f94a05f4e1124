//! **Plan**, the first phase of [`store_batch`](super::store_batch): what
//! to do with each send, decided from its inputs alone.

use std::collections::{HashMap, HashSet};

use super::PendingMessage;
use crate::domain::{ChatId, MessageId, UserId};

/// What to do with one send of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    /// The sender is not a member of the chat.
    Refused,
    /// The reply names no live message of the chat.
    BadReply,
    /// Repeats the `client_id` of the send at that index of this batch.
    Replay(usize),
    /// Goes into the insert.
    Insert,
    /// Lists uploads it may not attach; says why.
    BadAttachments(&'static str),
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    pub decisions: Vec<Decision>,
    /// Indexes of the sends to insert, in batch order.
    pub inserts: Vec<usize>,
}

/// Plan: refuses non-members and replies to what is not a live message of
/// the chat (`live`), and lets only the first send of a (sender,
/// `client_id`) pair in this batch be inserted; later ones replay it.
pub(super) fn plan(
    batch: &[PendingMessage],
    allowed: &HashSet<(ChatId, UserId)>,
    live: &HashSet<(ChatId, MessageId)>,
) -> Plan {
    let mut first_of: HashMap<(UserId, &str), usize> = HashMap::new();
    let mut inserts = Vec::new();
    let decisions = batch
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !allowed.contains(&(item.chat_id, item.sender_id)) {
                return Decision::Refused;
            }
            if let Some(reply_to) = item.reply_to {
                if !live.contains(&(item.chat_id, reply_to)) {
                    return Decision::BadReply;
                }
            }
            if let Some(cid) = item.client_id.as_deref() {
                if let Some(&first) = first_of.get(&(item.sender_id, cid)) {
                    return Decision::Replay(first);
                }
                first_of.insert((item.sender_id, cid), i);
            }
            inserts.push(i);
            Decision::Insert
        })
        .collect();
    Plan { decisions, inserts }
}
