//! Registration, login, guest accounts and the refresh-token lifecycle.

use actix::{Handler, Message};

use super::AccountsActor;
use crate::actors::{ServiceError, ServiceResult};
use crate::db::refresh_tokens::{self, NewRefreshToken};
use crate::db::users::{self, NewUser, UserRow};
use crate::db::{now, DbConn, DbError};
use crate::domain::{Email, Password, Role, User, UserId, Username};
use crate::security::{password, refresh};

/// What a successful login, guest creation or refresh hands back.
#[derive(Debug)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: User,
}

/// Create an account with role `user`.
#[derive(Message)]
#[rtype(result = "ServiceResult<User>")]
pub struct Register {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    /// An invite code; required by the HTTP layer under `--registration invite`.
    pub invite: Option<String>,
}

/// Create a password-less guest account and log it in.
#[derive(Message)]
#[rtype(result = "ServiceResult<TokenPair>")]
pub struct Guest;

/// The account a login (username or email) names, if any: failed
/// attempts are counted per account, before the password is checked.
#[derive(Message)]
#[rtype(result = "ServiceResult<Option<UserId>>")]
pub struct ResolveLogin {
    pub login: String,
}

/// Log in to a resolved account (`None`: the login named none, which costs
/// the same time as a wrong password).
#[derive(Message)]
#[rtype(result = "ServiceResult<TokenPair>")]
pub struct Login {
    pub user_id: Option<UserId>,
    pub password: String,
}

/// Exchange a refresh token for a new pair (rotation).
#[derive(Message)]
#[rtype(result = "ServiceResult<TokenPair>")]
pub struct Refresh {
    pub token: String,
}

/// Revoke the family of a refresh token; unknown tokens are ignored.
#[derive(Message)]
#[rtype(result = "ServiceResult<()>")]
pub struct Logout {
    pub token: String,
}

impl AccountsActor {
    /// Stores a new refresh token in `family` and signs an access token.
    fn issue_tokens(
        &self,
        conn: &mut DbConn,
        user: UserRow,
        family: &str,
    ) -> ServiceResult<TokenPair> {
        let (token, hashed) = refresh::generate();
        let created_at = now();
        // Every rotation leaves a used row behind; sweep this user's dead ones
        // here so the table stays bounded without a background job.
        refresh_tokens::delete_expired(conn, user.id, created_at)?;
        refresh_tokens::create(
            conn,
            &NewRefreshToken {
                user_id: user.id,
                family_id: family,
                token_hash: &hashed,
                created_at,
                expires_at: created_at + self.refresh_ttl,
            },
        )?;
        let access_token = self
            .keys
            .issue_in_family(user.id, &user.username, &user.role, Some(family))
            .map_err(|e| ServiceError::Internal(format!("signing token: {e}")))?;
        Ok(TokenPair {
            access_token,
            expires_in: self.keys.ttl_secs(),
            refresh_token: token,
            user: User::try_from(user)?,
        })
    }
}

fn conflict_field(e: DbError) -> ServiceError {
    match e {
        DbError::UniqueViolation(what) if what.contains("email") => ServiceError::Conflict("email"),
        DbError::UniqueViolation(_) => ServiceError::Conflict("username"),
        other => other.into(),
    }
}

impl Handler<Register> for AccountsActor {
    type Result = ServiceResult<User>;

    fn handle(&mut self, msg: Register, _: &mut Self::Context) -> Self::Result {
        let hash = password::hash(msg.password.expose())
            .map_err(|e| ServiceError::Internal(format!("hashing: {e}")))?;
        let mut conn = self.conn()?;
        let lower = msg.username.lower();
        // One transaction: an invite use is only counted for an account that
        // was created, and a taken username gives the use back.
        let row = crate::db::write_transaction(&mut conn, |conn| {
            // The unique indexes decide races; this only makes the common case cheap.
            if users::find_by_username(conn, &lower)?.is_some() {
                return Err(ServiceError::Conflict("username"));
            }
            let invited_by = match &msg.invite {
                Some(code) => Some(super::invites::take(conn, code)?),
                None => None,
            };
            users::create(
                conn,
                &NewUser {
                    username: msg.username.as_str(),
                    username_lower: &lower,
                    email: Some(msg.email.as_str()),
                    password_hash: Some(&hash),
                    role: Role::User.as_str(),
                    created_at: now(),
                    invited_by,
                },
            )
            .map_err(conflict_field)
        })?;
        Ok(User::try_from(row)?)
    }
}

impl Handler<Guest> for AccountsActor {
    type Result = ServiceResult<TokenPair>;

    fn handle(&mut self, _: Guest, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let name = format!(
            "guest-{}",
            &crate::security::hex(&crate::security::random_bytes::<5>())
        );
        let row = users::create(
            &mut conn,
            &NewUser {
                username: &name,
                username_lower: &name,
                email: None,
                password_hash: None,
                role: Role::Guest.as_str(),
                created_at: now(),
                invited_by: None,
            },
        )?;
        self.issue_tokens(&mut conn, row, &refresh::new_family())
    }
}

impl Handler<ResolveLogin> for AccountsActor {
    type Result = ServiceResult<Option<UserId>>;

    fn handle(&mut self, msg: ResolveLogin, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let login = msg.login.trim();
        let row = if login.contains('@') {
            users::find_by_email(&mut conn, &login.to_lowercase())?
        } else {
            users::find_by_username(&mut conn, &login.to_ascii_lowercase())?
        };
        Ok(row.map(|r| r.id))
    }
}

impl Handler<Login> for AccountsActor {
    type Result = ServiceResult<TokenPair>;

    fn handle(&mut self, msg: Login, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        let row = match msg.user_id {
            Some(id) => users::find(&mut conn, id)?,
            None => None,
        };
        let verified = match row.as_ref().and_then(|r| r.password_hash.as_deref()) {
            Some(hash) => password::verify(hash, &msg.password),
            None => {
                password::verify_dummy(&msg.password);
                false
            }
        };
        match row {
            // Only after the password is proven, so this does not tell
            // strangers which accounts exist.
            Some(row) if verified && row.disabled_at.is_some() => Err(ServiceError::Refused(
                crate::protocol::reason::DISABLED,
                "this account is disabled",
            )),
            Some(row) if verified => self.issue_tokens(&mut conn, row, &refresh::new_family()),
            _ => Err(ServiceError::InvalidCredentials),
        }
    }
}

/// What happened to a presented refresh token.
enum Rotation {
    Rotated(TokenPair),
    Reused(String),
}

impl Handler<Refresh> for AccountsActor {
    type Result = ServiceResult<TokenPair>;

    fn handle(&mut self, msg: Refresh, _: &mut Self::Context) -> Self::Result {
        const INVALID: ServiceError =
            ServiceError::Unauthorized("invalid or expired refresh token");
        let mut conn = self.conn()?;
        // No transaction needed: the conditional update in `mark_used` is the
        // single point that decides which of two racing refreshes wins.
        let outcome = (|| {
            let conn = &mut *conn;
            let Some(row) = refresh_tokens::find_by_hash(conn, &refresh::hash(&msg.token))? else {
                return Err(INVALID);
            };
            if row.revoked_at.is_some() || row.expires_at < now() {
                return Err(INVALID);
            }
            let used_at = match row.used_at {
                Some(at) => Some(at),
                // Lost a race with a refresh of the same token: used just now.
                None if !refresh_tokens::mark_used(conn, row.id, now())? => Some(now()),
                None => None,
            };
            if let Some(used_at) = used_at {
                // The same cookie twice within the grace (a retried request,
                // two tabs), and nothing rotated since: a fresh token of the
                // family. Otherwise it was copied: whoever holds the family
                // now may be an attacker, so the whole family goes.
                let fresh = now() - used_at <= self.reuse_grace
                    && !refresh_tokens::used_after(conn, &row.family_id, row.id)?;
                if !fresh {
                    return Ok(Rotation::Reused(row.family_id));
                }
            }
            let user = users::find(conn, row.user_id)?
                .filter(|u| u.disabled_at.is_none())
                .ok_or(INVALID)?;
            Ok(Rotation::Rotated(self.issue_tokens(
                conn,
                user,
                &row.family_id,
            )?))
        })()?;
        match outcome {
            Rotation::Rotated(tokens) => Ok(tokens),
            Rotation::Reused(family) => {
                let revoked = refresh_tokens::revoke_family(&mut conn, &family, now())?;
                log::warn!("refresh token reused; revoked {revoked} tokens of its family");
                Err(INVALID)
            }
        }
    }
}

impl Handler<Logout> for AccountsActor {
    type Result = ServiceResult<()>;

    fn handle(&mut self, msg: Logout, _: &mut Self::Context) -> Self::Result {
        let mut conn = self.conn()?;
        if let Some(row) = refresh_tokens::find_by_hash(&mut conn, &refresh::hash(&msg.token))? {
            refresh_tokens::revoke_family(&mut conn, &row.family_id, now())?;
        }
        Ok(())
    }
}
