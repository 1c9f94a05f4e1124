//! The publishing half of the bus.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use deadpool_redis::redis::{self, AsyncCommands};
use tokio::sync::mpsc;

use super::event::{Envelope, Event};

/// A cheap, cloneable publisher; a no-op when Redis is not configured.
#[derive(Clone, Default)]
pub struct Bus {
    tx: Option<mpsc::UnboundedSender<Event>>,
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
        let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
        let publisher = pool.clone();
        actix_web::rt::spawn(async move {
            while let Some(event) = rx.recv().await {
                let envelope = Envelope {
                    origin: origin.clone(),
                    sent_ms: chrono::Utc::now().timestamp_millis(),
                    event,
                };
                let payload = serde_json::to_string(&envelope).expect("event serializes");
                match publisher.get().await {
                    Ok(mut conn) => {
                        if let Err(e) = conn.publish::<_, _, i64>(&channel, payload).await {
                            log::warn!("redis publish failed: {e}");
                        }
                    }
                    Err(e) => log::warn!("redis unavailable, event dropped: {e}"),
                }
            }
        });
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
            let _ = tx.send(make());
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
