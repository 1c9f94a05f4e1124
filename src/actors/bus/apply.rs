//! The applying half of the bus: other instances' events, delivered to this
//! instance's rooms, hub and access cache without being published again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use actix::Addr;
use deadpool_redis::redis;
use futures_util::StreamExt;

use super::event::{Envelope, Event};
use super::replay::{replay, Sources};
use crate::actors::block_book::BlockBook;
use crate::actors::hub::{BusLink, Hub, Remote, RemotePresence};
use crate::actors::room::{Broadcast, Close, RemoteMessage};
use crate::actors::rooms::Rooms;
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::security::access::AccessCache;
use crate::security::file_urls::FileUrls;

/// Where remote events are applied.
pub struct Appliers {
    pub rooms: Rooms,
    pub hub: Addr<Hub>,
    pub access: Arc<AccessCache>,
    pub book: Arc<BlockBook>,
    pub metrics: Arc<Metrics>,
    /// To replay messages an outage kept from the rooms.
    pub pool: DbPool,
    pub urls: Arc<FileUrls>,
}

/// This instance's subscription to the others' events, not yet started.
pub struct Subscription {
    url: String,
    channel: String,
    origin: String,
    /// Shared with [`Bus::linked`](super::Bus::linked).
    down: Arc<AtomicBool>,
}

impl Subscription {
    pub(super) fn new(
        url: &str,
        channel: String,
        origin: String,
        down: Arc<AtomicBool>,
    ) -> Subscription {
        Subscription {
            url: url.to_owned(),
            channel,
            origin,
            down,
        }
    }

    /// Subscribes in the background, resubscribing after a lost connection.
    pub fn start(self, to: Appliers) {
        actix_web::rt::spawn(async move {
            // When the current outage began; `None` while connected and
            // before the first connection (nothing to catch up on).
            let mut down_at = None;
            loop {
                if let Err(e) = self.listen(&to, &mut down_at).await {
                    log::warn!("redis subscription lost ({e}); retrying in 1 s");
                }
                self.down.store(true, Ordering::Relaxed);
                down_at.get_or_insert_with(Utc::now);
                to.hub.do_send(BusLink(false));
                actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(
        &self,
        to: &Appliers,
        down_at: &mut Option<DateTime<Utc>>,
    ) -> redis::RedisResult<()> {
        let client = redis::Client::open(self.url.as_str())?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&self.channel).await?;
        // Subscribed first, so nothing published from now on is missed;
        // events arriving during the replay wait in the connection.
        if let Some(since) = down_at.take() {
            log::info!("redis subscription re-established");
            to.metrics.bus.reconnects.inc();
            let sources = Sources {
                pool: &to.pool,
                urls: &to.urls,
                rooms: &to.rooms,
                metrics: &to.metrics,
            };
            replay(sources, since).await;
        }
        self.down.store(false, Ordering::Relaxed);
        to.hub.do_send(BusLink(true));
        let mut messages = pubsub.into_on_message();
        while let Some(msg) = messages.next().await {
            match serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) {
                Ok(envelope) if envelope.origin != self.origin => {
                    let lag = chrono::Utc::now().timestamp_millis() - envelope.sent_ms;
                    to.metrics.bus.lag.observe(lag.max(0) as f64 / 1000.0);
                    apply(envelope, to);
                }
                Ok(_) => {}
                Err(e) => log::warn!("ignoring malformed bus event: {e}"),
            }
        }
        Ok(())
    }
}

/// Applies another instance's event locally.
fn apply(Envelope { origin, event, .. }: Envelope, to: &Appliers) {
    if event.is_presence() {
        to.hub.do_send(RemotePresence { origin, event });
        return;
    }
    match event {
        Event::Chat {
            chat_id,
            message_id,
            frame,
            except_user,
            members_only,
        } => {
            let Some(room) = to.rooms.existing(chat_id) else {
                return;
            };
            let frame = frame.into();
            match message_id {
                Some(id) => room.do_send(RemoteMessage { id, frame }),
                None => room.do_send(Broadcast {
                    frame,
                    except_user,
                    members_only,
                    remote: true,
                }),
            }
        }
        Event::ChatClosed { chat_id } => {
            if let Some(room) = to.rooms.existing(chat_id) {
                room.do_send(Close { remote: true });
            }
        }
        Event::Joined {
            user_id,
            chat_id,
            frame,
        } => to.hub.do_send(Remote::Joined {
            user_id,
            chat_id,
            frame: frame.into(),
        }),
        Event::Left {
            user_id,
            chat_id,
            frame,
        } => to.hub.do_send(Remote::Left {
            user_id,
            chat_id,
            frame: frame.into(),
        }),
        Event::CloseUser { user_id, code } => to.hub.do_send(Remote::Close { user_id, code }),
        Event::Invalidate { user_id } => to.access.invalidate(user_id),
        Event::Blocks { user_id, blocked } => to.book.set(user_id, blocked.into_iter().collect()),
        // Presence events went to the hub above.
        _ => {}
    }
}
