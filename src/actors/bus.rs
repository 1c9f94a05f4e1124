//! Cross-instance events over Redis pub/sub, so several instances behind a
//! load balancer act as one: a message committed on one instance reaches
//! sessions on every instance, and so do membership changes, forced closes
//! and access-cache invalidations. Without Redis the handle does nothing and
//! everything stays in-process.
//!
//! Pub/sub is at-most-once: an instance that loses its Redis connection
//! misses events until it reconnects; clients recover with `sync`.

use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use deadpool_redis::redis::{self, AsyncCommands};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::hub::{Hub, Remote};
use super::room::{Broadcast, Close};
use super::rooms::Rooms;
use crate::domain::{ChatId, UserId};
use crate::security::access::AccessCache;

/// Something that happened on one instance that the others must apply.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A frame for the sessions attached to a chat's room.
    Chat {
        chat_id: ChatId,
        frame: String,
        except_user: Option<UserId>,
        members_only: bool,
    },
    /// The chat was deleted.
    ChatClosed { chat_id: ChatId },
    /// A user became a member (`frame` is the `chat_added` frame).
    Joined {
        user_id: UserId,
        chat_id: ChatId,
        frame: String,
    },
    /// A user stopped being a member (`frame` is the `chat_removed` frame).
    Left {
        user_id: UserId,
        chat_id: ChatId,
        frame: String,
    },
    /// Close every session of the user with `code`.
    CloseUser { user_id: UserId, code: u16 },
    /// The user's role or existence changed: drop cached access checks.
    Invalidate { user_id: UserId },
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    origin: String,
    event: Event,
}

/// A cheap, cloneable publisher; a no-op when Redis is not configured.
#[derive(Clone, Default)]
pub struct Bus {
    tx: Option<mpsc::UnboundedSender<Event>>,
    pool: Option<deadpool_redis::Pool>,
}

/// Where a bus delivers the events it receives from other instances.
pub struct Receivers {
    pub rooms: Rooms,
    pub hub: Addr<Hub>,
    pub access: Arc<AccessCache>,
}

impl Bus {
    /// Connects to Redis (checked once here, so a bad URL fails start-up).
    pub async fn connect(url: &str, namespace: &str) -> Result<(Bus, BusRunner), String> {
        let pool = deadpool_redis::Config::from_url(url)
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            .map_err(|e| format!("redis pool: {e}"))?;
        let mut conn = pool.get().await.map_err(|e| format!("redis: {e}"))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| format!("redis: {e}"))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let runner = BusRunner {
            url: url.to_owned(),
            channel: format!("{namespace}:events"),
            origin: uuid::Uuid::new_v4().simple().to_string(),
            pool: pool.clone(),
            rx,
        };
        Ok((
            Bus {
                tx: Some(tx),
                pool: Some(pool),
            },
            runner,
        ))
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

/// The two background loops: publishing local events, applying remote ones.
pub struct BusRunner {
    url: String,
    channel: String,
    origin: String,
    pool: deadpool_redis::Pool,
    rx: mpsc::UnboundedReceiver<Event>,
}

impl BusRunner {
    pub fn start(self, receivers: Receivers) {
        let BusRunner {
            url,
            channel,
            origin,
            pool,
            mut rx,
        } = self;
        let (pub_channel, pub_origin) = (channel.clone(), origin.clone());
        actix_web::rt::spawn(async move {
            while let Some(event) = rx.recv().await {
                let payload = serde_json::to_string(&Envelope {
                    origin: pub_origin.clone(),
                    event,
                })
                .expect("event serializes");
                match pool.get().await {
                    Ok(mut conn) => {
                        if let Err(e) = conn.publish::<_, _, i64>(&pub_channel, payload).await {
                            log::warn!("redis publish failed: {e}");
                        }
                    }
                    Err(e) => log::warn!("redis unavailable, event dropped: {e}"),
                }
            }
        });
        actix_web::rt::spawn(async move {
            loop {
                if let Err(e) = subscribe(&url, &channel, &origin, &receivers).await {
                    log::warn!("redis subscription lost ({e}); retrying in 1 s");
                }
                actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}

async fn subscribe(
    url: &str,
    channel: &str,
    origin: &str,
    to: &Receivers,
) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    let mut messages = pubsub.into_on_message();
    while let Some(msg) = messages.next().await {
        match serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) {
            Ok(envelope) if envelope.origin != origin => apply(envelope.event, to),
            Ok(_) => {}
            Err(e) => log::warn!("ignoring malformed bus event: {e}"),
        }
    }
    Ok(())
}

/// Applies another instance's event locally, without publishing it again.
fn apply(event: Event, to: &Receivers) {
    match event {
        Event::Chat {
            chat_id,
            frame,
            except_user,
            members_only,
        } => {
            if let Some(room) = to.rooms.existing(chat_id) {
                room.do_send(Broadcast {
                    frame: frame.into(),
                    except_user,
                    members_only,
                    remote: true,
                });
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
    }
}
