//! The history writer: stores messages with group commit. Sends that arrive
//! while a transaction is being written wait and are committed together in
//! the next one; each is acknowledged (through its room) only after commit.
//!
//! What it is asked is in `messages`; a batch of sends is committed in
//! `commit`, changes applied in `changes`, and the outcomes handed back to
//! the rooms in `outcomes`.

use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;

mod changes;
mod commit;
mod messages;
mod outcomes;

use crate::actors::uploads::SweepSignal;
use crate::actors::ServiceError;
use crate::db::history::PendingMessage;
use crate::db::{now, DbPool};
use crate::domain::{Change as DomainChange, ChangeRequest};
use crate::metrics::Metrics;
use crate::security::file_urls::FileUrls;
use changes::apply_changes;
use commit::write;
use outcomes::{deliver, deliver_changes};

pub use messages::{Apply, Flush, Store};

/// Upper bound on one transaction, so one huge batch cannot delay acks for long.
const MAX_BATCH: usize = 2048;

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
