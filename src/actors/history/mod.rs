//! The history writer: stores messages with group commit. Sends that arrive
//! while a transaction is being written wait and are committed together in
//! the next one; each is acknowledged (through its room) only after commit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;

mod changes;

use crate::actors::change::{Change, ChangeResult, Changed};
use crate::actors::messages::to_message;
use crate::actors::post::{Committed, Post};
use crate::actors::uploads::SweepSignal;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::full::{complete, Reactions};
use crate::db::history::{store_batch, store_single, PendingMessage, Stored};
use crate::db::{now, DbError, DbPool};
use crate::domain::{Change as DomainChange, ChangeRequest, ChatId};
use crate::metrics::Metrics;
use crate::protocol::Message;
use crate::security::file_urls::FileUrls;
use changes::apply_changes;

/// Upper bound on one transaction, so one huge batch cannot delay acks for long.
const MAX_BATCH: usize = 2048;

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

pub struct HistoryWriter {
    pool: DbPool,
    metrics: Arc<Metrics>,
    /// Signs the URLs of stored messages' attachments.
    urls: Arc<FileUrls>,
    /// Woken after a deletion, so the deleted messages' files go at once.
    sweep: SweepSignal,
    pending: Vec<Store>,
    changes: Vec<Apply>,
    writing: bool,
    flush_waiters: Vec<tokio::sync::oneshot::Sender<()>>,
}

impl HistoryWriter {
    pub fn new(
        pool: DbPool,
        metrics: Arc<Metrics>,
        urls: Arc<FileUrls>,
        sweep: SweepSignal,
    ) -> HistoryWriter {
        HistoryWriter {
            pool,
            metrics,
            urls,
            sweep,
            pending: Vec::new(),
            changes: Vec::new(),
            writing: false,
            flush_waiters: Vec::new(),
        }
    }

    fn write_next(&mut self, ctx: &mut Context<Self>) {
        if self.pending.is_empty() && self.changes.is_empty() {
            self.writing = false;
            for waiter in self.flush_waiters.drain(..) {
                let _ = waiter.send(());
            }
            return;
        }
        self.writing = true;
        let take = self.pending.len().min(MAX_BATCH);
        let batch: Vec<Store> = self.pending.drain(..take).collect();
        let take = self.changes.len().min(MAX_BATCH);
        let changes: Vec<Apply> = self.changes.drain(..take).collect();
        let requests: Vec<ChangeRequest> =
            changes.iter().map(|a| a.change.request.clone()).collect();
        let at = now();
        let rows: Vec<PendingMessage> = batch
            .iter()
            .map(|s| PendingMessage {
                chat_id: s.chat_id,
                sender_id: s.post.draft.sender.id,
                body: s.post.draft.body.as_str().to_owned(),
                client_id: s
                    .post
                    .draft
                    .client_id
                    .as_ref()
                    .map(|c| c.as_str().to_owned()),
                created_at: at,
                attachments: s.post.draft.attachments.as_slice().to_vec(),
                reply_to: s.post.draft.reply_to,
            })
            .collect();
        let names: Vec<String> = batch
            .iter()
            .map(|s| s.post.draft.sender.username.clone())
            .collect();
        let pool = self.pool.clone();
        let urls = self.urls.clone();
        let started = Instant::now();
        let job = actix_web::rt::task::spawn_blocking(move || {
            let stored = if rows.is_empty() {
                Vec::new()
            } else {
                write(&pool, &rows, names, &urls)
            };
            (stored, apply_changes(&pool, &requests, &urls))
        });
        ctx.spawn(job.into_actor(self).map(move |joined, act, ctx| {
            let (outcomes, changed) = joined.unwrap_or_else(|e| {
                let err = ServiceError::Internal(format!("writer thread: {e}"));
                let fail = |_| Err(ServiceError::Internal(err.to_string()));
                (
                    (0..batch.len()).map(fail).collect(),
                    (0..changes.len()).map(fail).collect(),
                )
            });
            if !batch.is_empty() {
                act.metrics.observe_commit(batch.len(), started.elapsed());
            }
            deliver(batch, outcomes);
            let deleted = changes.iter().zip(&changed).any(|(a, outcome)| {
                a.change.request.change == DomainChange::Delete && matches!(outcome, Ok((_, true)))
            });
            deliver_changes(changes, changed);
            if deleted {
                act.sweep.wake();
            }
            act.write_next(ctx);
        }));
    }
}

/// Commits the batch; if the transaction fails as a whole, retries each send
/// alone so one bad item cannot fail its neighbours. Stored rows become
/// message objects here, off the actor thread (a reply's quote, and a
/// retried send's reactions, take a query).
fn write(
    pool: &DbPool,
    rows: &[PendingMessage],
    names: Vec<String>,
    urls: &FileUrls,
) -> Vec<Written> {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            log::warn!("cannot store {} messages: {e}", rows.len());
            // Unavailable rather than broken: REST senders get 503.
            let unavailable = e.unavailable();
            let err = format!("database pool: {e}");
            return rows
                .iter()
                .map(|_| {
                    Err(if unavailable {
                        ServiceError::Db(DbError::Unavailable)
                    } else {
                        ServiceError::Internal(err.clone())
                    })
                })
                .collect();
        }
    };
    let stored: Vec<ServiceResult<Stored>> = match store_batch(&mut conn, rows) {
        Ok(stored) => stored.into_iter().map(Ok).collect(),
        // A lone send is retried alone only when an upload it attaches
        // was taken meanwhile: then it is refused rather than failed.
        Err(e) if rows.len() == 1 && !matches!(e, DbError::BatchMismatch) => vec![Err(e.into())],
        Err(e) => {
            log::warn!("batch of {} failed ({e}); storing one by one", rows.len());
            rows.iter()
                .map(|row| store_single(&mut conn, row).map_err(Into::into))
                .collect()
        }
    };
    let mut found = Vec::new();
    let mut retried = false;
    for (outcome, name) in stored.iter().zip(&names) {
        if let Ok(Stored::Message(row, fresh, _)) = outcome {
            retried |= !fresh;
            found.push((row.clone(), name.clone()));
        }
    }
    let load = if retried {
        Reactions::Load
    } else {
        Reactions::None
    };
    let mut full = match complete(&mut conn, found, load) {
        Ok(full) => full.into_iter(),
        Err(e) => {
            let err = ServiceError::from(e).to_string();
            return stored
                .into_iter()
                .map(|_| Err(ServiceError::Internal(err.clone())))
                .collect();
        }
    };
    stored
        .into_iter()
        .map(|outcome| match outcome? {
            Stored::Message(_, fresh, files) => {
                let full = full.next().expect("one per stored message");
                Ok((to_message(full, &files, urls), fresh))
            }
            Stored::BadAttachments(why) => Err(ServiceError::Invalid("attachments", why)),
            Stored::NotMember { public: true } => Err(ServiceError::Forbidden(
                "only members may send to this chat",
            )),
            Stored::NotMember { public: false } => Err(ServiceError::NotFound("no such chat")),
            Stored::Blocked => Err(ServiceError::Refused(
                crate::protocol::reason::BLOCKED,
                "this user does not accept messages from you",
            )),
            Stored::BadReply => Err(ServiceError::Invalid(
                "reply_to",
                "must be a message of this chat that is not deleted",
            )),
        })
        .collect()
}

/// One send's outcome, ready for its room.
type Written = ServiceResult<(Message, bool)>;

/// Hands each change's outcome to its room, in the order applied.
fn deliver_changes(changes: Vec<Apply>, outcomes: Vec<ChangeResult>) {
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
fn deliver(batch: Vec<Store>, outcomes: Vec<Written>) {
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

impl Actor for HistoryWriter {
    type Context = Context<Self>;
}

impl Handler<Store> for HistoryWriter {
    type Result = ();

    fn handle(&mut self, msg: Store, ctx: &mut Context<Self>) {
        self.pending.push(msg);
        if !self.writing {
            self.write_next(ctx);
        }
    }
}

impl Handler<Apply> for HistoryWriter {
    type Result = ();

    fn handle(&mut self, msg: Apply, ctx: &mut Context<Self>) {
        self.changes.push(msg);
        if !self.writing {
            self.write_next(ctx);
        }
    }
}

impl Handler<Flush> for HistoryWriter {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> Self::Result {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.writing || !self.pending.is_empty() || !self.changes.is_empty() {
            self.flush_waiters.push(tx);
        } else {
            let _ = tx.send(());
        }
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}
