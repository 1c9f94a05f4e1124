//! The publishing half of the bus.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use deadpool_redis::redis;
use tokio::sync::mpsc;

use super::event::{Envelope, Event};

/// An event and when it was published (Unix ms): the bus lag metric counts
/// from here, time spent queued included.
type Stamped = (i64, Event);

/// Events sent to Redis in one round trip at most.
const MAX_BATCH: usize = 512;

/// Publishes what is queued, in order: everything waiting goes out in one
/// pipelined round trip on a connection kept for the purpose (a round trip
/// per event capped a busy instance at a few thousand events per second, and
/// the backlog showed as seconds of delay on the other instances). While
/// Redis does not answer, events are dropped (the others replay messages
/// from the database once it is back).
async fn publish_loop(
    mut rx: mpsc::UnboundedReceiver<Stamped>,
    pool: deadpool_redis::Pool,
    channel: String,
    origin: String,
) {
    let mut conn: Option<deadpool_redis::Connection> = None;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut pipe = redis::pipe();
        for (sent_ms, event) in batch.drain(..) {
            let envelope = Envelope {
                origin: origin.clone(),
                sent_ms,
                event,
            };
            let payload = serde_json::to_string(&envelope).expect("event serializes");
            pipe.cmd("PUBLISH").arg(&channel).arg(payload).ignore();
        }
        if conn.is_none() {
            match pool.get().await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    log::warn!("redis unavailable, events dropped: {e}");
                    continue;
                }
            }
        }
        if let Some(c) = conn.as_mut() {
            if let Err(e) = pipe.query_async::<()>(c).await {
                log::warn!("redis publish failed, events dropped: {e}");
                conn = None;
            }
        }
    }
}

/// A cheap, cloneable publisher; a no-op when Redis is not configured.
#[derive(Clone, Default)]
pub struct Bus {
    tx: Option<mpsc::UnboundedSender<Stamped>>,
    pool: Option<deadpool_redis::Pool>,
    /// Whether the subscription hears the other instances now, and has
    /// caught up on what an outage kept from it (set by the subscription).
    down: Arc<AtomicBool>,
}

impl Bus {
    /// Starts the loop that publishes this instance's events on `channel`.
    pub(super) fn start(
        pool: deadpool_redis::Pool,
        channel: String,
        origin: String,
        down: Arc<AtomicBool>,
    ) -> Bus {
        let (tx, rx) = mpsc::unbounded_channel::<Stamped>();
        // On the current arbiter, so it ends with the system (an arbiter of
        // its own outlived test servers, with their database pools).
        actix_web::rt::spawn(publish_loop(rx, pool.clone(), channel, origin));
        Bus {
            tx: Some(tx),
            pool: Some(pool),
            down,
        }
    }

    /// The Redis pool, when there is one (shared rate limits use it too).
    pub fn pool(&self) -> Option<deadpool_redis::Pool> {
        self.pool.clone()
    }

    /// `false` from the moment this instance stops hearing the others until
    /// it has replayed what it missed; always `true` without Redis.
    pub fn linked(&self) -> bool {
        !self.down.load(Ordering::Relaxed)
    }

    pub fn publish(&self, event: Event) {
        self.publish_with(|| event);
    }

    /// Builds the event only when there is a Redis to send it to: rooms
    /// publish every message, and without Redis the copy would be waste.
    pub fn publish_with(&self, make: impl FnOnce() -> Event) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((chrono::Utc::now().timestamp_millis(), make()));
        }
    }

    /// Readiness: `Ok` without Redis, else whether Redis answers PING.
    pub async fn ping(&self) -> Result<(), String> {
        let Some(pool) = &self.pool else {
            return Ok(());
        };
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}
