//! The applying half of the bus: other instances' events, delivered to this
//! instance's rooms, hub and access cache without being published again.

use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use deadpool_redis::redis;
use futures_util::StreamExt;

use super::event::{Envelope, Event};
use crate::actors::block_book::BlockBook;
use crate::actors::hub::{Hub, Remote};
use crate::actors::room::{Broadcast, Close};
use crate::actors::rooms::Rooms;
use crate::security::access::AccessCache;

/// Where remote events are applied.
pub struct Appliers {
    pub rooms: Rooms,
    pub hub: Addr<Hub>,
    pub access: Arc<AccessCache>,
    pub book: Arc<BlockBook>,
}

/// This instance's subscription to the others' events, not yet started.
pub struct Subscription {
    url: String,
    channel: String,
    origin: String,
}

impl Subscription {
    pub(super) fn new(url: &str, channel: String, origin: String) -> Subscription {
        Subscription {
            url: url.to_owned(),
            channel,
            origin,
        }
    }

    /// Subscribes in the background, resubscribing after a lost connection.
    pub fn start(self, to: Appliers) {
        actix_web::rt::spawn(async move {
            loop {
                if let Err(e) = self.listen(&to).await {
                    log::warn!("redis subscription lost ({e}); retrying in 1 s");
                }
                actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(&self, to: &Appliers) -> redis::RedisResult<()> {
        let client = redis::Client::open(self.url.as_str())?;
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&self.channel).await?;
        let mut messages = pubsub.into_on_message();
        while let Some(msg) = messages.next().await {
            match serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) {
                Ok(envelope) if envelope.origin != self.origin => apply(envelope.event, to),
                Ok(_) => {}
                Err(e) => log::warn!("ignoring malformed bus event: {e}"),
            }
        }
        Ok(())
    }
}

/// Applies another instance's event locally.
fn apply(event: Event, to: &Appliers) {
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
        Event::Blocks { user_id, blocked } => to.book.set(user_id, blocked.into_iter().collect()),
    }
}
