//! The access check, as an extractor: every authenticated handler takes a
//! [`Caller`], and every failure here is a 401.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::error::ApiError;
use super::state::AppState;
use crate::actors::auth::LoadAccess;
use crate::auth::access::Access;
use crate::domain::{Permission, Role};

/// An authenticated user as of this request (current role, not the token's).
#[derive(Clone)]
pub struct Caller {
    pub access: Arc<Access>,
    state: web::Data<AppState>,
}

impl Caller {
    pub fn id(&self) -> i64 {
        self.access.user_id
    }

    pub fn role(&self) -> Role {
        self.access.role
    }

    pub fn can(&self, perm: Permission) -> bool {
        self.state.access.permissions.allows(self.access.role, perm)
    }

    /// `403 forbidden` unless the caller's role has `perm`.
    pub fn require(&self, perm: Permission) -> Result<(), ApiError> {
        if self.can(perm) {
            Ok(())
        } else {
            Err(ApiError::forbidden("your role does not allow this"))
        }
    }
}

/// Verifies a bearer token and resolves who it belongs to now: signature,
/// algorithm, expiry, then the cached (or freshly loaded) account.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Arc<Access>, ApiError> {
    let claims = state
        .keys
        .verify(token)
        .ok_or_else(|| ApiError::unauthorized("invalid or expired token"))?;
    let user_id = claims
        .user_id()
        .ok_or_else(|| ApiError::unauthorized("invalid token subject"))?;
    let cached = match state.access.get(user_id) {
        Some(answer) => answer,
        None => {
            let epoch = state.access.epoch();
            let loaded = state.auth.send(LoadAccess { user_id }).await??;
            state.access.put(user_id, loaded, epoch)
        }
    };
    cached.ok_or_else(|| ApiError::unauthorized("account no longer exists"))
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("app state missing"))?;
            let token = token.ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
            let access = authenticate(&state, &token).await?;
            Ok(Caller { access, state })
        })
    }
}
