//! What the history writer is asked: store a send, apply a change, flush.

use actix::prelude::*;

use crate::actors::change::{Change, Changed};
use crate::actors::post::{Committed, Post};
use crate::domain::ChatId;

/// Store a post; the outcome goes to `reply_to` (the chat's room) as part
/// of a [`Committed`].
#[derive(Message)]
#[rtype(result = "()")]
pub struct Store {
    pub chat_id: ChatId,
    pub post: Post,
    pub reply_to: Recipient<Committed>,
}

/// Apply a change; the outcome goes to `reply_to` (the chat's room) as
/// part of a [`Changed`].
#[derive(Message)]
#[rtype(result = "()")]
pub struct Apply {
    pub chat_id: ChatId,
    pub change: Change,
    pub reply_to: Recipient<Changed>,
}

/// Resolves once everything received so far is committed (graceful shutdown).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Flush;
