//! The chat store: chats, memberships, history reads and read markers, on
//! a `SyncArbiter`. After a membership change commits it tells the hub, so
//! open sessions see `chat_added` / `chat_removed` at once.

mod create;
mod manage;
mod reads;

use std::collections::HashMap;

use actix::{Actor, Addr, SyncContext};
use chrono::{DateTime, Utc};

pub use create::{CreateChat, OpenDirect};
pub use manage::{AddMember, DeleteChat, Join, Leave, RemoveMember};
pub use reads::{CanFollow, ChatsOf, GetChat, History, MarkRead, MyChats, PublicChats, SyncAfter};

use super::hub::{ChatAdded, Hub};
use super::rooms::Rooms;
use super::{ServiceError, ServiceResult};
use crate::db::chats::{self, ChatRow};
use crate::db::messages::{self, MessageWithSender};
use crate::db::users::UserRow;
use crate::db::{members, users, DbConn, DbError, DbPool, PooledConn};
use crate::domain::{ChatKind, MemberRole};
use crate::protocol::{Chat, MemberView, Message, Sender};

pub struct ChatStore {
    pool: DbPool,
    hub: Addr<Hub>,
    rooms: Rooms,
}

impl ChatStore {
    pub fn new(pool: DbPool, hub: Addr<Hub>, rooms: Rooms) -> ChatStore {
        ChatStore { pool, hub, rooms }
    }

    fn conn(&self) -> ServiceResult<PooledConn> {
        Ok(self.pool.get().map_err(DbError::from)?)
    }

    /// Tells each user's sessions they are now members of `chat_id`.
    fn announce_added(
        &self,
        conn: &mut DbConn,
        chat_id: i64,
        user_ids: &[i64],
    ) -> ServiceResult<()> {
        let Some(row) = chats::find(conn, chat_id)? else {
            return Ok(());
        };
        for &user_id in user_ids {
            let chat = chat_view(conn, row.clone(), user_id, false)?;
            self.hub.do_send(ChatAdded { user_id, chat });
        }
        Ok(())
    }
}

impl Actor for ChatStore {
    type Context = SyncContext<Self>;
}

fn member_role(stored: &str) -> MemberRole {
    if stored == "owner" {
        MemberRole::Owner
    } else {
        MemberRole::Member
    }
}

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

pub(crate) fn to_message((row, username): MessageWithSender) -> Message {
    Message {
        id: row.id,
        chat_id: row.chat_id,
        sender: Sender {
            id: row.sender_id,
            username,
        },
        body: row.body,
        client_id: row.client_id,
        created_at: utc(row.created_at),
    }
}

/// The chat as `viewer` sees it; `with_members` adds the member list.
fn chat_view(
    conn: &mut DbConn,
    row: ChatRow,
    viewer: i64,
    with_members: bool,
) -> ServiceResult<Chat> {
    let membership = members::find(conn, row.id, viewer)?.map(|m| (m.role, m.last_read_id));
    let mut views = chat_views(conn, vec![(row, membership)], viewer)?;
    let mut chat = views.pop().expect("one view per row");
    if with_members {
        let list = members::list(conn, chat.id)?;
        let mut out = Vec::with_capacity(list.len());
        for (member, user) in list {
            out.push(MemberView::new(
                &super::accounts::to_user(user)?,
                member_role(&member.role),
            ));
        }
        chat.members = Some(out);
    }
    Ok(chat)
}

/// Builds many chat objects with a fixed number of queries plus one
/// index range count per chat the viewer belongs to (its unread messages).
fn chat_views(
    conn: &mut DbConn,
    rows: Vec<(ChatRow, Option<(String, i64)>)>,
    viewer: i64,
) -> ServiceResult<Vec<Chat>> {
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let counts: HashMap<i64, i64> = members::counts(conn, &ids)?.into_iter().collect();
    let last_ids: Vec<i64> = rows.iter().filter_map(|(c, _)| c.last_message_id).collect();
    let mut last: HashMap<i64, Message> = messages::by_ids(conn, &last_ids)?
        .into_iter()
        .map(|m| (m.0.id, to_message(m)))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for (row, membership) in rows {
        let unread = match &membership {
            Some((_, read)) => messages::unread(conn, row.id, viewer, *read)?,
            None => 0,
        };
        out.push(Chat {
            id: row.id,
            kind: if row.kind == "direct" {
                ChatKind::Direct
            } else {
                ChatKind::Group
            },
            name: row.name,
            public: row.is_public == 1,
            created_at: utc(row.created_at),
            owner_id: row.owner_id,
            members_count: counts.get(&row.id).copied().unwrap_or(0),
            my_role: membership.map(|(role, _)| member_role(&role)),
            last_message: row.last_message_id.and_then(|id| last.remove(&id)),
            unread,
            members: None,
        });
    }
    Ok(out)
}

/// The chat if `viewer` may see it: a member, an admin, or anyone with read
/// permission on a public chat. Otherwise it does not exist for them (404).
fn visible(
    conn: &mut DbConn,
    chat_id: i64,
    viewer: i64,
    can_read_public: bool,
    is_admin: bool,
) -> ServiceResult<(ChatRow, Option<members::MemberRow>)> {
    const HIDDEN: ServiceError = ServiceError::NotFound("no such chat");
    let chat = chats::find(conn, chat_id)?.ok_or(HIDDEN)?;
    let member = members::find(conn, chat_id, viewer)?;
    let public = chat.is_public == 1 && can_read_public;
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
