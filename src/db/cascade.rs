//! Multi-table changes that must happen together: a member leaving (and
//! what that does to ownership) and a user being deleted.

use super::{chats, members, users, DbConn, DbError};
use crate::domain::{ChatId, MemberRole, UserId};

/// What removing a member did to the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    NotMember,
    /// Removed; `new_owner` is set when ownership passed on.
    Left {
        new_owner: Option<UserId>,
    },
    /// The last member left, so the chat is gone.
    ChatDeleted,
}

/// Removes a member; an owner's chat passes to the longest-standing member,
/// and a chat left empty is deleted.
pub fn remove_member(
    conn: &mut DbConn,
    chat_id: ChatId,
    user_id: UserId,
) -> Result<Departure, DbError> {
    super::write_transaction(conn, |conn| {
        let Some(member) = members::find(conn, chat_id, user_id)? else {
            return Ok(Departure::NotMember);
        };
        members::remove(conn, chat_id, user_id)?;
        match members::longest_standing(conn, chat_id)? {
            None => {
                chats::delete(conn, chat_id)?;
                Ok(Departure::ChatDeleted)
            }
            Some(next) if member.role() == MemberRole::Owner => {
                members::set_role(conn, chat_id, next, MemberRole::Owner)?;
                chats::set_owner(conn, chat_id, Some(next))?;
                Ok(Departure::Left {
                    new_owner: Some(next),
                })
            }
            Some(_) => Ok(Departure::Left { new_owner: None }),
        }
    })
}

/// Deletes the user in one transaction: first it leaves every chat (so
/// ownership passes on and empty chats go), then the row itself, whose
/// foreign keys cascade to messages, memberships, read markers and refresh
/// tokens. Returns the chats it was in and what leaving did to each, or
/// `None` if there was no such user.
pub fn delete_user(
    conn: &mut DbConn,
    user_id: UserId,
) -> Result<Option<Vec<(ChatId, Departure)>>, DbError> {
    super::write_transaction(conn, |conn| {
        let mut departures = Vec::new();
        for chat_id in members::chats_of(conn, user_id)? {
            departures.push((chat_id, remove_member(conn, chat_id, user_id)?));
        }
        Ok(users::delete(conn, user_id)?.then_some(departures))
    })
}
