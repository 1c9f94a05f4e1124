//! Failed password checks, limited per (account, client address) and per
//! account from everywhere. An attempt is reserved before the password is
//! checked, so parallel requests cannot all slip past the limit; a right
//! password (or any other outcome) gives the reservation back.

use actix_web::{web, HttpRequest};

use super::error::ApiError;
use super::state::AppState;
use crate::domain::UserId;

/// Longer logins name no account (usernames are at most 32 characters,
/// emails 254): refused before any lookup or counter.
pub const MAX_LOGIN_CHARS: usize = 254;

/// The counter key of an account: its id once resolved, else the login as
/// typed (bounded by [`MAX_LOGIN_CHARS`]), so unknown names are limited alike.
pub fn account_key(user_id: Option<UserId>, login: &str) -> String {
    match user_id {
        Some(id) => format!("user:{}", id.0),
        None => format!("login:{}", login.trim().to_lowercase()),
    }
}

/// A reserved attempt; dropped, it is given back.
pub struct Attempt {
    state: web::Data<AppState>,
    pair: String,
    account: String,
    failed: bool,
}

/// Reserves one failed attempt for `account` from the caller's address, or
/// says how long to wait.
pub async fn reserve_attempt(
    state: &web::Data<AppState>,
    account: String,
    req: &HttpRequest,
) -> Result<Attempt, ApiError> {
    let ip = super::client::client_ip(req, &state.settings)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let pair = format!("{account}@{ip}");
    state
        .login_failures
        .hit(&pair)
        .await
        .map_err(ApiError::rate_limited)?;
    if let Err(wait) = state.login_failures_total.hit(&account).await {
        state.login_failures.release(&pair).await;
        return Err(ApiError::rate_limited(wait));
    }
    Ok(Attempt {
        state: state.clone(),
        pair,
        account,
        failed: false,
    })
}

impl Attempt {
    /// The password was wrong: the attempt stays counted.
    pub fn failed(mut self) {
        self.failed = true;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.failed {
            return;
        }
        let (state, pair, account) = (
            self.state.clone(),
            std::mem::take(&mut self.pair),
            std::mem::take(&mut self.account),
        );
        // Dropped on every path out of a handler (errors included), where
        // nothing can be awaited.
        actix_web::rt::spawn(async move {
            state.login_failures.release(&pair).await;
            state.login_failures_total.release(&account).await;
        });
    }
}
