//! Cross-instance events over Redis pub/sub, so several instances behind a
//! load balancer act as one: a message committed on one instance reaches
//! sessions on every instance, and so do membership changes, forced closes
//! and access-cache invalidations. Without Redis the publishing half does
//! nothing and everything stays in-process.
//!
//! Two halves, so that publishing depends on nothing: [`Bus`] publishes
//! (rooms, the hub and the accounts actor hold one), and a [`Subscription`]
//! applies other instances' events to the local rooms, hub and access cache.
//!
//! Pub/sub is at-most-once: an instance that loses its Redis connection
//! misses events until it reconnects. Then it replays, from the database,
//! the messages stored meanwhile to its open sessions (`replay`), and
//! exchanges presence rosters with the others (the hub), so clients need
//! not `sync` after a blip.

mod apply;
mod event;
mod publish;
mod replay;

pub use apply::{Appliers, Subscription};
pub use event::Event;
pub use publish::Bus;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use deadpool_redis::redis;

/// Connects to Redis (checked once here, so a bad URL fails start-up) and
/// starts publishing. The subscription starts once the actors it applies
/// events to exist.
pub async fn connect(url: &str, namespace: &str) -> Result<(Bus, Subscription), String> {
    let mut config = deadpool_redis::Config::from_url(url);
    // With Redis unreachable, publishing and readiness fail within a
    // second instead of queueing events (and probes) behind a dead host.
    let mut pool_config = deadpool_redis::PoolConfig::default();
    let limit = Some(std::time::Duration::from_secs(1));
    pool_config.timeouts = deadpool_redis::Timeouts {
        wait: limit,
        create: limit,
        recycle: limit,
    };
    config.pool = Some(pool_config);
    let pool = config
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .map_err(|e| format!("redis pool: {e}"))?;
    let mut conn = pool.get().await.map_err(|e| format!("redis: {e}"))?;
    let _: String = redis::cmd("PING")
        .query_async(&mut conn)
        .await
        .map_err(|e| format!("redis: {e}"))?;
    let channel = format!("{namespace}:events");
    // Each instance skips its own events when they come back.
    let origin = uuid::Uuid::new_v4().simple().to_string();
    let down = Arc::new(AtomicBool::new(true));
    let bus = Bus::start(pool, channel.clone(), origin.clone(), down.clone());
    Ok((bus, Subscription::new(url, channel, origin, down)))
}
