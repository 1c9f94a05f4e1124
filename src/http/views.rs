//! JSON shapes of the contract's objects.

use serde::Serialize;

use crate::actors::accounts::TokenPair;
pub use crate::domain::UserJson;

#[derive(Serialize)]
pub struct LoginJson {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub user: UserJson,
}

impl LoginJson {
    pub fn new(tokens: &TokenPair) -> LoginJson {
        LoginJson {
            access_token: tokens.access_token.clone(),
            token_type: "Bearer",
            expires_in: tokens.expires_in,
            user: UserJson::new(&tokens.user, true),
        }
    }
}
