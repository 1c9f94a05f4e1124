//! Which chats carry presence. `presence` frames and `ready.online` cover
//! only people who share a chat of at most `--presence-max-members` members
//! (direct chats always are): an arrival in a 10 000-member chat would
//! otherwise be 10 000 frames, and a reconnect storm N²/2 of them. Larger
//! chats show who is online by asking (`presence_query`).
//!
//! Sizes are learnt when a member's session gets ready (a count capped just
//! above the bound, once per chat) and kept current by every membership
//! change, on other instances through the bus. Shared by the chat store,
//! which fills it, and the hub, which reads it.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::domain::ChatId;

pub struct Scopes {
    max_members: u32,
    /// Members per chat, capped at `max_members + 1` ("too many").
    sizes: RwLock<HashMap<ChatId, u32>>,
}

impl Scopes {
    pub fn new(max_members: u32) -> Scopes {
        Scopes {
            max_members,
            sizes: RwLock::default(),
        }
    }

    /// The bound: chats with more members carry no presence.
    pub fn max_members(&self) -> u32 {
        self.max_members
    }

    /// Counting a chat's members beyond this tells nothing more.
    pub fn count_cap(&self) -> u32 {
        self.max_members.saturating_add(1)
    }

    /// Whether presence travels through `chat`. A chat not known here has
    /// no member connected to this instance, so nobody here would hear it.
    pub fn shares(&self, chat: ChatId) -> bool {
        let sizes = self.sizes.read().unwrap_or_else(|e| e.into_inner());
        sizes.get(&chat).is_some_and(|&n| n <= self.max_members)
    }

    /// Whether the size of `chat` is known.
    pub fn knows(&self, chat: ChatId) -> bool {
        let sizes = self.sizes.read().unwrap_or_else(|e| e.into_inner());
        sizes.contains_key(&chat)
    }

    /// Records the member count of `chat`; answers whether what it means
    /// for presence changed (`Some(shares now)`), `None` when it did not.
    pub fn note(&self, chat: ChatId, members: i64) -> Option<bool> {
        let capped = members.clamp(0, i64::from(self.count_cap())) as u32;
        let mut sizes = self.sizes.write().unwrap_or_else(|e| e.into_inner());
        let before = sizes.insert(chat, capped).map(|n| n <= self.max_members);
        let now = capped <= self.max_members;
        (before != Some(now)).then_some(now)
    }

    /// The chat is gone.
    pub fn forget(&self, chat: ChatId) {
        let mut sizes = self.sizes.write().unwrap_or_else(|e| e.into_inner());
        sizes.remove(&chat);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chats_above_the_bound_carry_no_presence_and_changes_are_reported_once() {
        let scopes = Scopes::new(3);
        let chat = ChatId(1);
        assert!(!scopes.shares(chat) && !scopes.knows(chat));
        assert_eq!(scopes.note(chat, 2), Some(true));
        assert!(scopes.shares(chat));
        assert_eq!(scopes.note(chat, 3), None, "still within the bound");
        assert_eq!(scopes.note(chat, 4), Some(false));
        assert!(!scopes.shares(chat) && scopes.knows(chat));
        assert_eq!(scopes.note(chat, 10_000), None);
        assert_eq!(scopes.note(chat, 3), Some(true));
        scopes.forget(chat);
        assert!(!scopes.knows(chat));
    }
}
