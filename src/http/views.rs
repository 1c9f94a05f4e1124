//! JSON shapes of the contract's objects.

use serde::Serialize;

use crate::actors::auth::Session;
pub use crate::domain::UserJson;

#[derive(Serialize)]
pub struct SessionJson {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserJson,
}

impl SessionJson {
    pub fn new(session: &Session) -> SessionJson {
        SessionJson {
            access_token: session.access_token.clone(),
            token_type: "Bearer",
            expires_in: session.expires_in,
            user: UserJson::new(&session.user, true),
        }
    }
}
