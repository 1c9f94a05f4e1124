//! Account reads and administration, and the access check's database side.

use std::collections::HashMap;

use actix::{Handler, Message};

use super::AccountsActor;
use crate::actors::{ServiceError, ServiceResult};
use crate::db;
use crate::db::users::{self, RoleChange};
use crate::domain::{Role, User, UserId};
use crate::security::access::Access;
use crate::security::password;

/// Who each of `user_ids` is now, for the access cache; a user deleted or
/// disabled is not in the answer.
#[derive(Message)]
#[rtype(result = "ServiceResult<HashMap<UserId, Access>>")]
pub struct LoadAccesses {
    pub user_ids: Vec<UserId>,
}

#[derive(Message)]
#[rtype(result = "ServiceResult<Option<User>>")]
pub struct GetUser {
    pub id: UserId,
}

/// Users whose name starts with `prefix` (case-insensitive).
#[derive(Message)]
#[rtype(result = "ServiceResult<Vec<User>>")]
pub struct SearchUsers {
    pub prefix: String,
    pub limit: i64,
}

/// Delete an account and everything that cascades from it. With
/// `confirm: Some(..)` the user deletes itself and must prove the password.
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct DeleteUser {
    pub id: UserId,
    pub confirm: Option<Confirm>,
}

/// Self-deletion's proof: the password, absent only for guests.
pub struct Confirm {
    pub password: Option<String>,
}

#[derive(Message)]
#[rtype(result = "ServiceResult<Option<User>>")]
pub struct SetRole {
    pub id: UserId,
    pub role: Role,
}

/// `PUT /users/{id}/disabled`. Disabling ends the account's access at
/// once: cached checks are dropped here and on other instances, refresh
/// tokens are revoked and open sockets close with 4003.
#[derive(Message)]
#[rtype(result = "ServiceResult<Option<User>>")]
pub struct SetDisabled {
    pub id: UserId,
    pub disabled: bool,
}

impl Handler<SetDisabled> for AccountsActor {
    type Result = ServiceResult<Option<User>>;

    fn handle(&mut self, msg: SetDisabled, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let at = db::now();
        let row = db::write_transaction(&mut conn, |conn| {
            let row = users::set_disabled(conn, msg.id, msg.disabled.then_some(at))?;
            if row.is_some() && msg.disabled {
                db::refresh_tokens::revoke_user(conn, msg.id, None, at)?;
            }
            Ok::<_, ServiceError>(row)
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        self.invalidate(msg.id);
        if msg.disabled {
            self.announce.account_disabled(msg.id);
        }
        log::info!(
            "user {} {}",
            msg.id,
            if msg.disabled { "disabled" } else { "enabled" }
        );
        Ok(Some(User::try_from(row)?))
    }
}

impl Handler<LoadAccesses> for AccountsActor {
    type Result = ServiceResult<HashMap<UserId, Access>>;

    fn handle(&mut self, msg: LoadAccesses, _: &mut Self::Context) -> Self::Result {
        let rows = users::find_many(&mut *self.conn()?, &msg.user_ids)?;
        let mut found = HashMap::with_capacity(rows.len());
        // A disabled account is, to the access check, as good as gone.
        for row in rows.into_iter().filter(|r| r.disabled_at.is_none()) {
            let user = User::try_from(row)?;
            let access = Access {
                user_id: user.id,
                username: user.username,
                role: user.role,
            };
            found.insert(access.user_id, access);
        }
        Ok(found)
    }
}

impl Handler<GetUser> for AccountsActor {
    type Result = ServiceResult<Option<User>>;

    fn handle(&mut self, msg: GetUser, _: &mut Self::Context) -> Self::Result {
        let row = users::find(&mut *self.conn()?, msg.id)?;
        Ok(row.map(User::try_from).transpose()?)
    }
}

impl Handler<SearchUsers> for AccountsActor {
    type Result = ServiceResult<Vec<User>>;

    fn handle(&mut self, msg: SearchUsers, _: &mut Self::Context) -> Self::Result {
        let prefix = msg.prefix.to_lowercase();
        let rows = users::search_prefix(&mut *self.conn()?, &prefix, msg.limit)?;
        Ok(rows
            .into_iter()
            .map(User::try_from)
            .collect::<Result<_, _>>()?)
    }
}

impl Handler<DeleteUser> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: DeleteUser, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let row = users::find(&mut conn, msg.id)?.ok_or(ServiceError::NotFound("no such user"))?;
        if let Some(confirm) = msg.confirm {
            match (row.password_hash.as_deref(), confirm.password.as_deref()) {
                (None, _) => {}
                (Some(_), None) => return Err(ServiceError::BadRequest("password is required")),
                (Some(hash), Some(given)) if password::verify(hash, given) => {}
                (Some(_), Some(_)) => return Err(ServiceError::Forbidden("wrong password")),
            }
        }
        let departures = db::cascade::delete_user(&mut conn, msg.id)?.unwrap_or_default();
        self.invalidate(msg.id);
        self.announce.account_deleted(&mut conn, msg.id, departures);
        log::info!("deleted user {}", msg.id);
        Ok(())
    }
}

impl Handler<SetRole> for AccountsActor {
    type Result = ServiceResult<Option<User>>;

    fn handle(&mut self, msg: SetRole, _: &mut Self::Context) -> Self::Result {
        let row = match users::set_role(&mut *self.conn()?, msg.id, msg.role)? {
            RoleChange::Changed(row) => *row,
            RoleChange::NoSuchUser => return Ok(None),
            RoleChange::LastAdmin => return Err(ServiceError::Conflict("role")),
        };
        self.invalidate(msg.id);
        log::info!("user {} now has role {}", msg.id, msg.role.as_str());
        Ok(Some(User::try_from(row)?))
    }
}
