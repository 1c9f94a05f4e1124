//! Setups many tests share.

use serde_json::{json, Value};

use crate::helpers::{Account, TestApp};
use crate::ws_client::Ws;

/// Ann and Bob, signed up, and the private chat "pair" Ann made with Bob.
pub struct Pair {
    pub ann: Account,
    pub bob: Account,
    pub chat: i64,
}

/// The pair with a socket each, both past `ready`; Ann connected first.
pub struct ConnectedPair {
    pub ann: Account,
    pub bob: Account,
    pub chat: i64,
    pub ann_ws: Ws,
    pub bob_ws: Ws,
}

impl TestApp {
    /// `name` signed up and made an admin the operator's way; its token
    /// acts as an admin at once (roles are read per request, not from it).
    pub async fn signup_admin(&self, name: &str) -> Account {
        let account = self.signup(name).await;
        self.make_admin(name);
        account
    }

    /// `POST /chats/{chat}/members` as `token`; asserts 200, returns the chat.
    pub async fn add_member(&self, token: &str, chat: i64, username: &str) -> Value {
        let path = format!("/api/v1/chats/{chat}/members");
        let res = self
            .post(&path, Some(token), json!({ "username": username }))
            .await;
        assert_eq!(res.status, 200, "add {username}: {}", res.body);
        res.body
    }

    pub async fn pair(&self) -> Pair {
        let ann = self.signup("ann").await;
        let bob = self.signup("bob").await;
        let chat = self.create_chat(&ann.token, "pair", &["bob"], false).await;
        Pair { ann, bob, chat }
    }

    pub async fn connected_pair(&self) -> ConnectedPair {
        let Pair { ann, bob, chat } = self.pair().await;
        let (ann_ws, _) = self.ws(&ann.token).await;
        let (bob_ws, _) = self.ws(&bob.token).await;
        ConnectedPair {
            ann,
            bob,
            chat,
            ann_ws,
            bob_ws,
        }
    }
}
