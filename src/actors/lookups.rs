//! The lookups every new session makes, coalesced (`actors::batch`): who
//! the token's user is now (the access check of the upgrade, on a cache
//! miss) and what `ready` needs. A server restart brings every client back
//! within seconds; these turn its ~40 000 queries into a few hundred.

use std::collections::HashMap;
use std::sync::Arc;

use actix::Addr;
use futures_util::FutureExt;

use super::accounts::{AccountsActor, LoadAccesses};
use super::batch::Batcher;
use super::chats::{ChatStore, ReadyData, ReadyLookup};
use super::ServiceError;
use crate::domain::UserId;
use crate::security::access::Access;

/// Keys per batch: an `IN` list of this many ids is one index probe each,
/// and far below SQLite's limit on bound parameters.
const MAX_BATCH: usize = 500;

#[derive(Clone)]
pub struct Lookups {
    pub access: Batcher<UserId, Access>,
    pub ready: Batcher<UserId, ReadyData>,
}

impl Lookups {
    /// `accounts` has two threads, the chat store four: at most as many
    /// batches run at once, so other requests still find a thread free
    /// while a storm is served.
    pub fn new(accounts: Addr<AccountsActor>, chats: Addr<ChatStore>) -> Lookups {
        let access = Batcher::new(
            1,
            MAX_BATCH,
            Arc::new(move |user_ids: Vec<UserId>| {
                let accounts = accounts.clone();
                async move {
                    let found: HashMap<UserId, Access> = accounts
                        .send(LoadAccesses { user_ids })
                        .await
                        .map_err(mailbox)??;
                    Ok(found)
                }
                .boxed()
            }),
        );
        let ready = Batcher::new(
            2,
            MAX_BATCH,
            Arc::new(move |user_ids: Vec<UserId>| {
                let chats = chats.clone();
                async move {
                    chats
                        .send(ReadyLookup { user_ids })
                        .await
                        .map_err(mailbox)?
                }
                .boxed()
            }),
        );
        Lookups { access, ready }
    }
}

fn mailbox(e: actix::MailboxError) -> ServiceError {
    ServiceError::Internal(format!("actor mailbox: {e}"))
}
