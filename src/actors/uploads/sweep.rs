//! Deletes uploads nobody can reach: never attached to a message within the
//! orphan TTL, or whose owner or message was deleted. Rows go first (so a
//! file is never served without its bytes being about to go), then bytes.
//! It runs every interval, and at once when a [`SweepSignal`] says that
//! messages, chats or users were just deleted.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, ActorFutureExt, AsyncContext, Context, WrapFuture};
use tokio::sync::Notify;

use super::Files;
use crate::actors::uploads::store::TakeUnreachable;

/// Rows deleted per database round trip.
const BATCH: i64 = 200;

/// Wakes this instance's sweeper: whoever deletes messages, chats or users
/// calls [`wake`](SweepSignal::wake) after the commit, so their files'
/// bytes go within moments rather than at the next interval.
#[derive(Clone, Default)]
pub struct SweepSignal(Arc<Notify>);

impl SweepSignal {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

pub struct Sweeper {
    files: Arc<Files>,
    every: Duration,
    orphan_ttl: Duration,
    signal: SweepSignal,
    running: bool,
    /// Woken while a pass was running: run another one after it.
    again: bool,
}

impl Sweeper {
    pub fn new(
        files: Arc<Files>,
        every: Duration,
        orphan_ttl: Duration,
        signal: SweepSignal,
    ) -> Sweeper {
        Sweeper {
            files,
            every,
            orphan_ttl,
            signal,
            running: false,
            again: false,
        }
    }

    /// Waits for the signal, sweeps, and waits again.
    fn listen(&mut self, ctx: &mut Context<Self>) {
        let signal = self.signal.0.clone();
        ctx.spawn(
            async move { signal.notified().await }
                .into_actor(self)
                .map(|(), act, ctx| {
                    act.sweep(ctx);
                    act.listen(ctx);
                }),
        );
    }

    fn sweep(&mut self, ctx: &mut Context<Self>) {
        if self.running {
            self.again = true;
            return;
        }
        self.running = true;
        let (files, ttl) = (self.files.clone(), self.orphan_ttl);
        ctx.spawn(
            async move { sweep_once(&files, ttl).await }
                .into_actor(self)
                .map(|removed, act, ctx| {
                    act.running = false;
                    if removed > 0 {
                        log::info!("upload sweep: deleted {removed} unreachable files");
                    }
                    if std::mem::take(&mut act.again) {
                        act.sweep(ctx);
                    }
                }),
        );
    }
}

impl Actor for Sweeper {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.sweep(ctx);
        self.listen(ctx);
        ctx.run_interval(self.every, |act, ctx| act.sweep(ctx));
    }
}

/// One pass; returns how many uploads were deleted.
pub async fn sweep_once(files: &Files, orphan_ttl: Duration) -> usize {
    let ttl = chrono::Duration::from_std(orphan_ttl).unwrap_or(chrono::Duration::days(1));
    let cutoff = chrono::Utc::now().naive_utc() - ttl;
    let mut removed = 0;
    loop {
        let taken = match files
            .store
            .send(TakeUnreachable {
                cutoff,
                limit: BATCH,
            })
            .await
        {
            Ok(Ok(keys)) => keys,
            Ok(Err(e)) => {
                log::warn!("upload sweep: {e}");
                return removed;
            }
            Err(e) => {
                log::warn!("upload sweep: store unavailable: {e}");
                return removed;
            }
        };
        let n = taken.len();
        for (key, thumb) in taken {
            for key in std::iter::once(key).chain(thumb) {
                if let Err(e) = files.storage.delete(&key).await {
                    log::warn!("upload sweep: deleting {key}: {e}");
                }
            }
        }
        removed += n;
        if (n as i64) < BATCH {
            return removed;
        }
    }
}
