//! Invites: creating, listing and revoking codes, and taking one at
//! registration.

use actix::{Handler, Message};
use chrono::Duration;

use super::AccountsActor;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::invites::{self, InviteRow};
use crate::db::{now, utc, DbConn};
use crate::domain::{invite_usable, Invite, InviteProblem, User, UserId};
use crate::protocol::reason;

#[derive(Message)]
#[rtype(result = "ServiceResult<Invite>")]
pub struct CreateInvite {
    pub by: UserId,
    pub max_uses: Option<i64>,
    pub expires_in: Duration,
}

/// Every invite (`creator: None`, admins) or one user's.
#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<Invite>>")]
pub struct ListInvites {
    pub creator: Option<UserId>,
}

/// Revokes an invite; `creator: Some` only deletes that user's own.
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct DeleteInvite {
    pub code: String,
    pub creator: Option<UserId>,
}

fn invite(row: InviteRow, creator: User) -> Invite {
    Invite {
        code: row.code,
        created_by: creator,
        max_uses: row.max_uses,
        uses: row.uses,
        expires_at: row.expires_at.map(utc),
        created_at: utc(row.created_at),
    }
}

/// Codes carry 128 random bits: unguessable, short enough for a link.
fn new_code() -> String {
    crate::security::hex(&crate::security::random_bytes::<16>())
}

impl Handler<CreateInvite> for AccountsActor {
    type Result = ServiceResult<Invite>;

    fn handle(&mut self, msg: CreateInvite, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let creator = crate::db::users::find(&mut conn, msg.by)?
            .ok_or(ServiceError::Unauthorized("account no longer exists"))?;
        let created_at = now();
        let row = InviteRow {
            code: new_code(),
            created_by: msg.by.0,
            max_uses: msg.max_uses,
            uses: 0,
            expires_at: Some(created_at + msg.expires_in),
            created_at,
        };
        invites::create(&mut conn, &row)?;
        log::info!("user {} created an invite", msg.by);
        Ok(invite(row, User::try_from(creator)?))
    }
}

impl Handler<ListInvites> for AccountsActor {
    type Result = ServiceResult<Vec<Invite>>;

    fn handle(&mut self, msg: ListInvites, _: &mut Self::Context) -> Self::Result {
        let rows = invites::list(&mut *self.conn()?, msg.creator.map(|c| c.0))?;
        rows.into_iter()
            .map(|(row, user)| Ok(invite(row, User::try_from(user)?)))
            .collect()
    }
}

impl Handler<DeleteInvite> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: DeleteInvite, _: &mut Self::Context) -> Self::Result {
        let deleted = invites::delete(&mut *self.conn()?, &msg.code, msg.creator.map(|c| c.0))?;
        if deleted {
            Ok(())
        } else {
            Err(ServiceError::NotFound("no such invite"))
        }
    }
}

/// Takes one use of `code` inside the registration's transaction, or says
/// why it cannot (the `403`'s `details.reason`). Returns the inviter.
pub(super) fn take(conn: &mut DbConn, code: &str) -> ServiceResult<i64> {
    let at = now();
    let refuse = |problem| match problem {
        InviteProblem::Unknown => {
            ServiceError::Refused(reason::INVITE_UNKNOWN, "unknown invite code")
        }
        InviteProblem::Expired => {
            ServiceError::Refused(reason::INVITE_EXPIRED, "the invite has expired")
        }
        InviteProblem::UsedUp => {
            ServiceError::Refused(reason::INVITE_USED_UP, "the invite has been used up")
        }
    };
    let row = invites::find(conn, code)?.ok_or(refuse(InviteProblem::Unknown))?;
    invite_usable(row.max_uses, row.uses, row.expires_at.map(utc), utc(at)).map_err(refuse)?;
    if invites::take_use(conn, code, at)? {
        return Ok(row.created_by);
    }
    // Someone else took the last use (or it expired) since the read above.
    let row = invites::find(conn, code)?.ok_or(refuse(InviteProblem::Unknown))?;
    let problem = invite_usable(row.max_uses, row.uses, row.expires_at.map(utc), utc(at))
        .err()
        .unwrap_or(InviteProblem::UsedUp);
    Err(refuse(problem))
}
