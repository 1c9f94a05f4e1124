//! Reading chats and history, and moving read markers.

use actix::{Handler, Message};

use super::{chat_view, chat_views, visible, ChatStore};
use crate::actors::messages::complete;
use crate::actors::room::Broadcast;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::messages::MessageWithSender;
use crate::db::{chats, members, messages, DbConn};
use crate::domain::{ChatId, MessageId, UserId};
use crate::protocol::{self as domain, ServerFrame};

/// The caller's chats, most recent activity first, with unread counts.
#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<domain::Chat>>")]
pub struct MyChats {
    pub caller: UserId,
}

#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<domain::Chat>>")]
pub struct PublicChats {
    pub caller: UserId,
    pub limit: i64,
    pub offset: i64,
}

/// One chat with its members.
#[derive(Message)]
#[rtype(result = "ServiceResult<domain::Chat>")]
pub struct GetChat {
    pub caller: UserId,
    pub can_read_public: bool,
    pub is_admin: bool,
    pub chat_id: ChatId,
}

/// Which page of history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The newest `limit` with id < `before` (the newest overall without).
    Before(Option<MessageId>),
    /// Up to `limit` centred on this message, which is included.
    Around(MessageId),
}

/// A page of history, oldest first.
#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<domain::Message>>")]
pub struct History {
    pub caller: UserId,
    pub can_read_public: bool,
    pub chat_id: ChatId,
    pub page: Page,
    pub limit: i64,
}

/// Where a sync starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncFrom {
    /// New messages with a greater id, oldest first.
    Id(MessageId),
    /// Every message with a greater version (new, edited, deleted,
    /// reacted to), lowest version first.
    Version(i64),
}

/// What a sync replays.
#[derive(Debug)]
pub struct Replay {
    pub messages: Vec<domain::Message>,
    pub has_more: bool,
    /// The highest version replayed, or the chat's version when none was.
    pub version: i64,
}

/// Messages after a point, and whether more remain.
#[derive(Message)]
#[rtype(result = "ServiceResult<Replay>")]
pub struct SyncAfter {
    pub caller: UserId,
    pub can_read_public: bool,
    pub chat_id: ChatId,
    pub from: SyncFrom,
    pub limit: i64,
}

/// Move the caller's read marker forward; members see a `read` frame.
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct MarkRead {
    pub caller: UserId,
    pub chat_id: ChatId,
    pub message_id: MessageId,
}

/// Whether a chat exists and is public (who may follow it).
#[derive(Message)]
#[rtype(result = "ServiceResult<bool>")]
pub struct CanFollow {
    pub chat_id: ChatId,
}

impl Handler<MyChats> for ChatStore {
    type Result = ServiceResult<Vec<domain::Chat>>;

    fn handle(&mut self, msg: MyChats, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let rows = chats::list_for_user(&mut conn, msg.caller)?
            .into_iter()
            .map(|(chat, role, read)| (chat, Some((role, read))))
            .collect();
        chat_views(&mut conn, rows, msg.caller, &self.urls)
    }
}

impl Handler<PublicChats> for ChatStore {
    type Result = ServiceResult<Vec<domain::Chat>>;

    fn handle(&mut self, msg: PublicChats, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let mut rows = Vec::new();
        for chat in chats::list_public(&mut conn, msg.limit, msg.offset)? {
            let membership =
                members::find(&mut conn, chat.id, msg.caller)?.map(|m| (m.role(), m.last_read_id));
            rows.push((chat, membership));
        }
        chat_views(&mut conn, rows, msg.caller, &self.urls)
    }
}

impl Handler<GetChat> for ChatStore {
    type Result = ServiceResult<domain::Chat>;

    fn handle(&mut self, msg: GetChat, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let (chat, _) = visible(
            &mut conn,
            msg.chat_id,
            msg.caller,
            msg.can_read_public,
            msg.is_admin,
        )?;
        chat_view(&mut conn, chat, msg.caller, true, &self.urls)
    }
}

impl Handler<History> for ChatStore {
    type Result = ServiceResult<Vec<domain::Message>>;

    fn handle(&mut self, msg: History, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        visible(
            &mut conn,
            msg.chat_id,
            msg.caller,
            msg.can_read_public,
            false,
        )?;
        let page = match msg.page {
            Page::Before(before) => messages::page(&mut conn, msg.chat_id, before, msg.limit)?,
            Page::Around(id) => around(&mut conn, msg.chat_id, id, msg.limit)?,
        };
        Ok(complete(&mut conn, page, &self.urls)?)
    }
}

/// Up to `limit` messages centred on `id` (included): half before it, the
/// rest after, and whichever side runs short leaves its share to the other.
fn around(
    conn: &mut DbConn,
    chat_id: ChatId,
    id: MessageId,
    limit: i64,
) -> ServiceResult<Vec<MessageWithSender>> {
    if messages::find(conn, chat_id, id)?.is_none() {
        return Err(ServiceError::NotFound("no such message"));
    }
    let older = messages::page(conn, chat_id, Some(id), limit - 1)?;
    let newer = messages::from_id(conn, chat_id, id, limit)?;
    let want_older = ((limit - 1) / 2) as usize;
    let take_older = older
        .len()
        .min(want_older.max(limit as usize - newer.len().min(limit as usize)));
    let take_newer = (limit as usize - take_older).min(newer.len());
    let mut out: Vec<MessageWithSender> = older[older.len() - take_older..].to_vec();
    out.extend(newer.into_iter().take(take_newer));
    Ok(out)
}

impl Handler<SyncAfter> for ChatStore {
    type Result = ServiceResult<Replay>;

    fn handle(&mut self, msg: SyncAfter, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        visible(
            &mut conn,
            msg.chat_id,
            msg.caller,
            msg.can_read_public,
            false,
        )?;
        let mut rows = match msg.from {
            SyncFrom::Id(after) => messages::after(&mut conn, msg.chat_id, after, msg.limit + 1)?,
            SyncFrom::Version(after) => {
                messages::after_version(&mut conn, msg.chat_id, after, msg.limit + 1)?
            }
        };
        let has_more = rows.len() as i64 > msg.limit;
        rows.truncate(msg.limit as usize);
        let version = match rows.iter().map(|(r, _)| r.version).max() {
            Some(v) => v,
            None => chats::version(&mut conn, msg.chat_id)?,
        };
        Ok(Replay {
            messages: complete(&mut conn, rows, &self.urls)?,
            has_more,
            version,
        })
    }
}

impl Handler<MarkRead> for ChatStore {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: MarkRead, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        if members::find(&mut conn, msg.chat_id, msg.caller)?.is_none() {
            return Err(ServiceError::NotFound("no such chat"));
        }
        // A marker past the newest message would hide messages still to come.
        let newest = messages::last_id(&mut conn, msg.chat_id)?.unwrap_or(MessageId(0));
        let target = msg.message_id.min(newest);
        if members::mark_read(&mut conn, msg.chat_id, msg.caller, target)? {
            if let Some(room) = self.rooms.existing(msg.chat_id) {
                let frame = ServerFrame::Read {
                    chat_id: msg.chat_id,
                    user_id: msg.caller,
                    message_id: target,
                };
                room.do_send(Broadcast {
                    frame: frame.encode(),
                    except_user: None,
                    members_only: true,
                    remote: false,
                });
            }
        }
        Ok(())
    }
}

impl Handler<CanFollow> for ChatStore {
    type Result = ServiceResult<bool>;

    fn handle(&mut self, msg: CanFollow, _: &mut Self::Context) -> Self::Result {
        Ok(chats::find(&mut *self.conn()?, msg.chat_id)?.is_some_and(|c| c.is_public()))
    }
}
