//! Catching up after a bus outage: every running room gets, from the
//! database, the messages stored since shortly before the outage began, and
//! delivers those it has not delivered yet (`room::Replay`), oldest first.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::actors::messages::complete;
use crate::actors::room::Replay;
use crate::actors::rooms::Rooms;
use crate::db::{messages, DbPool};
use crate::domain::{ChatId, MessageId};
use crate::metrics::Metrics;
use crate::protocol::{MessageJson, ServerFrame};
use crate::security::file_urls::FileUrls;

/// How far before the outage was noticed to look: events published just
/// before it (or on instances whose clocks run a little behind) count too.
const LOOK_BACK: chrono::Duration = chrono::Duration::seconds(10);

/// Messages read per query.
const PAGE: i64 = 500;

/// What a replay reads from and delivers to.
pub(super) struct Sources<'a> {
    pub pool: &'a DbPool,
    pub urls: &'a Arc<FileUrls>,
    pub rooms: &'a Rooms,
    pub metrics: &'a Metrics,
}

/// Replays what was stored since `down_at` − [`LOOK_BACK`] to every running
/// room. A failure (the database down too) is logged: clients can still `sync`.
pub(super) async fn replay(from: Sources<'_>, down_at: DateTime<Utc>) {
    let since = (down_at - LOOK_BACK).naive_utc();
    let mut total = 0;
    for (chat_id, room) in from.rooms.running() {
        let mut after = MessageId(0);
        loop {
            let page = match read(&from, chat_id, since, after).await {
                Ok(page) => page,
                Err(e) => {
                    log::error!("replay of chat {chat_id} after a bus outage failed: {e}");
                    break;
                }
            };
            let full = page.len() as i64 == PAGE;
            let Some(last) = page.last() else { break };
            after = last.0;
            if let Ok(delivered) = room.send(Replay(page)).await {
                from.metrics.bus.replayed.inc_by(delivered);
                total += delivered;
            }
            if !full {
                break;
            }
        }
    }
    log::info!("bus back: replayed {total} messages missed during the outage");
}

/// One page, as the frames sessions get.
async fn read(
    from: &Sources<'_>,
    chat_id: ChatId,
    since: NaiveDateTime,
    after: MessageId,
) -> Result<Vec<(MessageId, bytestring::ByteString)>, String> {
    let (pool, urls) = (from.pool.clone(), from.urls.clone());
    let messages = actix_web::rt::task::spawn_blocking(move || {
        let mut conn = pool.get()?;
        let rows = messages::stored_since(&mut conn, chat_id, since, after, PAGE)?;
        complete(&mut conn, rows, &urls)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Ok(messages
        .into_iter()
        .map(|message| {
            let json = MessageJson::new(&message);
            (message.id, ServerFrame::Message { message: &json }.encode())
        })
        .collect())
}
