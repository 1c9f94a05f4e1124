//! Who blocked whom, in memory, for the frames that must not reach a
//! blocker: typing and presence of the people it blocked. Entries are
//! loaded when a user's session gets ready and replaced on every block or
//! unblock (on other instances through the bus); users who block nobody
//! have no entry.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use crate::domain::UserId;

#[derive(Default)]
pub struct BlockBook {
    blocked: RwLock<HashMap<UserId, Arc<HashSet<UserId>>>>,
}

impl BlockBook {
    /// Replaces what `blocker` blocked.
    pub fn set(&self, blocker: UserId, blocked: HashSet<UserId>) {
        let mut map = self.blocked.write().unwrap_or_else(|e| e.into_inner());
        if blocked.is_empty() {
            map.remove(&blocker);
        } else {
            map.insert(blocker, Arc::new(blocked));
        }
    }

    /// Whether `blocker` blocked `subject`.
    pub fn blocks(&self, blocker: UserId, subject: UserId) -> bool {
        let map = self.blocked.read().unwrap_or_else(|e| e.into_inner());
        map.get(&blocker).is_some_and(|set| set.contains(&subject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_one_way_and_replaced_whole() {
        let book = BlockBook::default();
        book.set(UserId(1), [UserId(2)].into());
        assert!(book.blocks(UserId(1), UserId(2)));
        assert!(!book.blocks(UserId(2), UserId(1)));
        book.set(UserId(1), HashSet::new());
        assert!(!book.blocks(UserId(1), UserId(2)));
    }
}
