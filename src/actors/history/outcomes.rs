//! Handing outcomes back to the rooms: one message per room per batch, in
//! the order they were committed.

use std::collections::HashMap;

use actix::prelude::*;

use super::commit::Written;
use super::messages::{Apply, Store};
use crate::actors::change::{ChangeResult, Changed};
use crate::actors::post::Committed;
use crate::domain::ChatId;

/// Hands each change's outcome to its room, in the order applied.
pub(super) fn deliver_changes(changes: Vec<Apply>, outcomes: Vec<ChangeResult>) {
    let mut by_room: HashMap<ChatId, (Recipient<Changed>, Changed)> = HashMap::new();
    for (apply, outcome) in changes.into_iter().zip(outcomes) {
        let (_, changed) = by_room
            .entry(apply.chat_id)
            .or_insert_with(|| (apply.reply_to, Changed(Vec::new())));
        changed.0.push((apply.change, outcome));
    }
    for (room, changed) in by_room.into_values() {
        room.do_send(changed);
    }
}

/// Hands each outcome to its room, batch order preserved per room.
pub(super) fn deliver(batch: Vec<Store>, outcomes: Vec<Written>) {
    // A chat's room cannot stop while it has sends in flight: one per chat.
    let mut by_room: HashMap<ChatId, (Recipient<Committed>, Committed)> = HashMap::new();
    for (store, outcome) in batch.into_iter().zip(outcomes) {
        let result = outcome;
        let (_, committed) = by_room
            .entry(store.chat_id)
            .or_insert_with(|| (store.reply_to, Committed(Vec::new())));
        committed.0.push((store.post, result));
    }
    for (room, committed) in by_room.into_values() {
        room.do_send(committed);
    }
}
