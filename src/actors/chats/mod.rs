//! The chat store: chats, memberships, history reads and read markers, on
//! a `SyncArbiter`. After a membership change commits it announces it, so
//! open sessions see `chat_added` / `chat_removed` at once.

mod consent;
mod create;
mod manage;
mod reads;
mod ready;
mod search;

use std::collections::HashMap;
use std::sync::Arc;

use actix::{Actor, SyncContext};

pub use create::{CreateChat, OpenDirect};
pub use manage::{AddMember, DeleteChat, Join, Leave, RemoveMember};
pub use reads::{
    CanFollow, GetChat, History, MarkRead, MyChats, Page, PublicChats, Replay, SyncAfter, SyncFrom,
};
pub use ready::{ReadyData, ReadyLookup};
pub use search::SearchMessages;

use super::announce::Announcer;
use super::messages::complete;
use super::rooms::Rooms;
use super::{ServiceError, ServiceResult};
use crate::db::chats::{self, ChatRow};
use crate::db::members::{self, MemberRow};
use crate::db::users::UserRow;
use crate::db::{mentions, messages};
use crate::db::{users, utc, DbConn, DbPool, PooledConn};
use crate::domain::{ChatId, MemberRole, MessageId, User, UserId};
use crate::protocol::{Chat, MemberView, Message};
use crate::security::file_urls::FileUrls;

pub struct ChatStore {
    pool: DbPool,
    announce: Announcer,
    /// For read markers, which only live sessions need to hear of.
    rooms: Rooms,
    /// Signs the URLs of messages' attachments.
    urls: Arc<FileUrls>,
    add_policy: crate::config::AddPolicy,
}

impl ChatStore {
    pub fn new(
        pool: DbPool,
        announce: Announcer,
        rooms: Rooms,
        urls: Arc<FileUrls>,
        add_policy: crate::config::AddPolicy,
    ) -> ChatStore {
        ChatStore {
            pool,
            announce,
            rooms,
            urls,
            add_policy,
        }
    }

    fn conn(&self) -> ServiceResult<PooledConn> {
        Ok(self.pool.get()?)
    }

    /// Tells each user's sessions they are now members of `chat_id`.
    fn announce_added(
        &self,
        conn: &mut DbConn,
        chat_id: ChatId,
        user_ids: &[UserId],
    ) -> ServiceResult<()> {
        let Some(row) = chats::find(conn, chat_id)? else {
            return Ok(());
        };
        for &user_id in user_ids {
            let chat = chat_view(conn, row.clone(), user_id, false, &self.urls)?;
            self.announce.joined(user_id, chat);
        }
        Ok(())
    }
}

impl ChatStore {
    /// Tells every session attached to the chat (members and followers, on
    /// every instance) who joined or left and who owns it now.
    fn announce_members(
        &self,
        conn: &mut DbConn,
        chat_id: ChatId,
        added: &[User],
        removed: &[UserId],
    ) -> ServiceResult<()> {
        Ok(self
            .announce
            .members_changed(conn, chat_id, added, removed)?)
    }
}

impl Actor for ChatStore {
    type Context = SyncContext<Self>;
}

/// The viewer's standing in a chat: their role and read marker.
type Membership = Option<(MemberRole, MessageId)>;

/// The chat as `viewer` sees it; `with_members` adds the member list.
fn chat_view(
    conn: &mut DbConn,
    row: ChatRow,
    viewer: UserId,
    with_members: bool,
    urls: &FileUrls,
) -> ServiceResult<Chat> {
    let membership = members::find(conn, row.id, viewer)?.map(|m| (m.role(), m.last_read_id));
    let mut views = chat_views(conn, vec![(row, membership)], viewer, urls)?;
    let mut chat = views.pop().expect("one view per row");
    if with_members {
        let list = members::list(conn, chat.id)?;
        let mut out = Vec::with_capacity(list.len());
        for (member, user) in list {
            out.push(MemberView::new(&User::try_from(user)?, member.role()));
        }
        chat.members = Some(out);
    }
    Ok(chat)
}

/// Builds many chat objects (last messages with their attachments) with a
/// fixed number of queries plus one
/// index range count per chat the viewer belongs to (its unread messages).
fn chat_views(
    conn: &mut DbConn,
    rows: Vec<(ChatRow, Membership)>,
    viewer: UserId,
    urls: &FileUrls,
) -> ServiceResult<Vec<Chat>> {
    let ids: Vec<ChatId> = rows.iter().map(|(c, _)| c.id).collect();
    let counts: HashMap<ChatId, i64> = members::counts(conn, &ids)?.into_iter().collect();
    let last_ids: Vec<MessageId> = rows
        .iter()
        .filter_map(|(c, _)| c.last_message_id())
        .collect();
    let last_rows = messages::by_ids(conn, &last_ids)?;
    let mut last: HashMap<MessageId, Message> = complete(conn, last_rows, urls)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for (row, membership) in rows {
        let (unread, mentioned) = match membership {
            Some((_, read)) => (
                messages::unread(conn, row.id, viewer, read)?,
                mentions::unread(conn, row.id, viewer, read)?,
            ),
            None => (0, 0),
        };
        out.push(Chat {
            id: row.id,
            kind: row.kind(),
            public: row.is_public(),
            created_at: utc(row.created_at),
            owner_id: row.owner_id(),
            members_count: counts.get(&row.id).copied().unwrap_or(0),
            my_role: membership.map(|(role, _)| role),
            last_message: row.last_message_id().and_then(|id| last.remove(&id)),
            unread,
            mentions: mentioned,
            name: row.name,
            members: None,
            online_count: None,
        });
    }
    Ok(out)
}

/// The chat if `viewer` may see it: a member, an admin, or anyone with read
/// permission on a public chat. Otherwise it does not exist for them (404).
fn visible(
    conn: &mut DbConn,
    chat_id: ChatId,
    viewer: UserId,
    can_read_public: bool,
    is_admin: bool,
) -> ServiceResult<(ChatRow, Option<MemberRow>)> {
    const HIDDEN: ServiceError = ServiceError::NotFound("no such chat");
    let chat = chats::find(conn, chat_id)?.ok_or(HIDDEN)?;
    let member = members::find(conn, chat_id, viewer)?;
    let public = chat.is_public() && can_read_public;
    if member.is_none() && !public && !is_admin {
        return Err(HIDDEN);
    }
    Ok((chat, member))
}

/// Resolves usernames (case-insensitively); any unknown → `unknown_users`.
fn resolve_users(conn: &mut DbConn, names: &[String]) -> ServiceResult<Vec<UserRow>> {
    let lowers: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let found = users::find_by_usernames(conn, &lowers)?;
    let unknown: Vec<String> = names
        .iter()
        .zip(&lowers)
        .filter(|(_, lower)| !found.iter().any(|u| &u.username_lower == *lower))
        .map(|(name, _)| name.clone())
        .collect();
    if unknown.is_empty() {
        Ok(found)
    } else {
        Err(ServiceError::UnknownUsers(unknown))
    }
}
