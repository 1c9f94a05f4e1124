//! The history writer: stores messages with group commit. Sends that arrive
//! while a transaction is being written wait and are committed together in
//! the next one; each is acknowledged (through its room) only after commit.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;

use super::messages::to_message;
use super::post::{Committed, Post};
use super::{ServiceError, ServiceResult};
use crate::db::history::{store_batch, store_single, PendingMessage, Stored};
use crate::db::{now, DbError, DbPool};
use crate::domain::ChatId;
use crate::metrics::Metrics;
use crate::security::file_urls::FileUrls;

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

/// Resolves once everything received so far is committed (graceful shutdown).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Flush;

pub struct HistoryWriter {
    pool: DbPool,
    metrics: Arc<Metrics>,
    /// Signs the URLs of stored messages' attachments.
    urls: Arc<FileUrls>,
    pending: Vec<Store>,
    writing: bool,
    flush_waiters: Vec<tokio::sync::oneshot::Sender<()>>,
}

impl HistoryWriter {
    pub fn new(pool: DbPool, metrics: Arc<Metrics>, urls: Arc<FileUrls>) -> HistoryWriter {
        HistoryWriter {
            pool,
            metrics,
            urls,
            pending: Vec::new(),
            writing: false,
            flush_waiters: Vec::new(),
        }
    }

    fn write_next(&mut self, ctx: &mut Context<Self>) {
        if self.pending.is_empty() {
            self.writing = false;
            for waiter in self.flush_waiters.drain(..) {
                let _ = waiter.send(());
            }
            return;
        }
        self.writing = true;
        let take = self.pending.len().min(MAX_BATCH);
        let batch: Vec<Store> = self.pending.drain(..take).collect();
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
            })
            .collect();
        let pool = self.pool.clone();
        let started = Instant::now();
        let job = actix_web::rt::task::spawn_blocking(move || write(&pool, &rows));
        ctx.spawn(job.into_actor(self).map(move |joined, act, ctx| {
            let outcomes = joined.unwrap_or_else(|e| {
                let err = format!("writer thread: {e}");
                (0..batch.len())
                    .map(|_| Err(ServiceError::Internal(err.clone())))
                    .collect()
            });
            act.metrics.observe_commit(batch.len(), started.elapsed());
            deliver(batch, outcomes, &act.urls);
            act.write_next(ctx);
        }));
    }
}

/// Commits the batch; if the transaction fails as a whole, retries each send
/// alone so one bad item cannot fail its neighbours.
fn write(pool: &DbPool, rows: &[PendingMessage]) -> Vec<ServiceResult<Stored>> {
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
    match store_batch(&mut conn, rows) {
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
    }
}

/// Hands each outcome to its room, batch order preserved per room.
fn deliver(batch: Vec<Store>, outcomes: Vec<ServiceResult<Stored>>, urls: &FileUrls) {
    // A chat's room cannot stop while it has sends in flight: one per chat.
    let mut by_room: HashMap<ChatId, (Recipient<Committed>, Committed)> = HashMap::new();
    for (store, outcome) in batch.into_iter().zip(outcomes) {
        let result = outcome.and_then(|stored| match stored {
            Stored::Message(row, fresh, files) => {
                let username = store.post.draft.sender.username.clone();
                Ok((to_message((row, username), &files, urls), fresh))
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
        });
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

impl Handler<Flush> for HistoryWriter {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Flush, _: &mut Context<Self>) -> Self::Result {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.writing || !self.pending.is_empty() {
            self.flush_waiters.push(tx);
        } else {
            let _ = tx.send(());
        }
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}
