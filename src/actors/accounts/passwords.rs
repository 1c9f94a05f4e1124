//! Passwords after sign-up: changing one's own, and admin reset links.

use actix::{Handler, Message};
use chrono::{DateTime, Utc};

use super::AccountsActor;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::reset_tokens::{self, NewResetToken};
use crate::db::{now, refresh_tokens, users, utc};
use crate::domain::{Password, Role, UserId};
use crate::security::{password, refresh};

/// `PUT /users/me/password`: proves the current password, sets the new
/// one and ends every other login (`keep_family` is the caller's).
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct ChangePassword {
    pub user_id: UserId,
    pub current: String,
    pub new: Password,
    pub keep_family: Option<String>,
}

/// A one-time reset link for `user_id`: the token (shown once) and expiry.
#[derive(Message)]
#[rtype(result = "ServiceResult<(String, DateTime<Utc>)>")]
pub struct CreateResetLink {
    pub user_id: UserId,
}

/// `POST /auth/reset`: spends the token and sets the password.
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct ResetPassword {
    pub token: String,
    pub new: Password,
}

fn hash(new: &Password) -> ServiceResult<String> {
    password::hash(new.expose()).map_err(|e| ServiceError::Internal(format!("hashing: {e}")))
}

impl Handler<ChangePassword> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: ChangePassword, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let row = users::find(&mut conn, msg.user_id)?
            .ok_or(ServiceError::Unauthorized("account no longer exists"))?;
        let Some(current) = row.password_hash.as_deref() else {
            return Err(ServiceError::Forbidden("guest accounts have no password"));
        };
        if !password::verify(current, &msg.current) {
            return Err(ServiceError::Forbidden("wrong password"));
        }
        let hashed = hash(&msg.new)?;
        crate::db::write_transaction(&mut conn, |conn| {
            users::set_password_hash(conn, msg.user_id, &hashed)?;
            refresh_tokens::revoke_user(conn, msg.user_id, msg.keep_family.as_deref(), now())
        })?;
        log::info!("user {} changed their password", msg.user_id);
        Ok(())
    }
}

impl Handler<CreateResetLink> for AccountsActor {
    type Result = ServiceResult<(String, DateTime<Utc>)>;

    fn handle(&mut self, msg: CreateResetLink, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let row =
            users::find(&mut conn, msg.user_id)?.ok_or(ServiceError::NotFound("no such user"))?;
        if row.role == Role::Guest.as_str() {
            return Err(ServiceError::Forbidden("guest accounts have no password"));
        }
        // The same shape as a refresh token: 256 random bits, stored hashed.
        let (token, hashed) = refresh::generate();
        let created_at = now();
        let expires_at = created_at + self.reset_ttl;
        reset_tokens::replace(
            &mut conn,
            &NewResetToken {
                token_hash: &hashed,
                user_id: msg.user_id.0,
                created_at,
                expires_at,
            },
        )?;
        log::info!("reset link created for user {}", msg.user_id);
        Ok((token, utc(expires_at)))
    }
}

impl Handler<ResetPassword> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: ResetPassword, _: &mut Self::Context) -> Self::Result {
        const SPENT: ServiceError = ServiceError::Forbidden("invalid, used or expired reset link");
        // Hash first: the token is spent only if the rest can follow.
        let hashed = hash(&msg.new)?;
        let mut conn = self.conn()?;
        let user_id = crate::db::write_transaction(&mut conn, |conn| {
            let user_id =
                reset_tokens::take(conn, &refresh::hash(&msg.token), now())?.ok_or(SPENT)?;
            users::set_password_hash(conn, user_id, &hashed)?;
            refresh_tokens::revoke_user(conn, user_id, None, now())?;
            Ok::<_, ServiceError>(user_id)
        })?;
        log::info!("user {} reset their password with a link", user_id);
        Ok(())
    }
}
