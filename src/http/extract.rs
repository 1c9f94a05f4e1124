//! The access check, as an extractor: every authenticated handler takes a
//! [`Caller`], and every failure here is a 401.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::error::ApiError;
use super::state::AppState;
use crate::domain::{Permission, Role, UserId};
use crate::security::access::Access;

/// An authenticated user as of this request (current role, not the token's).
#[derive(Clone)]
pub struct Caller {
    pub access: Arc<Access>,
    /// The refresh-token family (login) the access token came from.
    pub family: Option<String>,
    state: web::Data<AppState>,
}

impl Caller {
    pub fn id(&self) -> UserId {
        self.access.user_id
    }

    pub fn role(&self) -> Role {
        self.access.role
    }

    pub fn can(&self, perm: Permission) -> bool {
        self.state
            .svc
            .access
            .permissions
            .allows(self.access.role, perm)
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
            let (access, claims) = state.svc.authenticate(&token).await?;
            Ok(Caller {
                access,
                family: claims.fam,
                state,
            })
        })
    }
}
