//! How many WebSockets one user, and one client address, may hold open at
//! once: each open socket holds a [`Slot`], given back when it closes.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::domain::UserId;

/// The two caps a WebSocket is counted against.
pub struct WsCaps {
    pub users: Arc<Counter<UserId>>,
    pub addresses: Arc<Counter<IpAddr>>,
}

/// The slots one socket holds.
#[derive(Default)]
pub struct WsSlots {
    pub address: Option<Slot<IpAddr>>,
    pub user: Option<Slot<UserId>>,
}

/// Open sockets per key, at most `limit` each.
pub struct Counter<K> {
    limit: usize,
    open: Mutex<HashMap<K, usize>>,
}

/// One open socket counted against a key; dropping it gives it back.
pub struct Slot<K: Hash + Eq> {
    counter: Arc<Counter<K>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Counter<K> {
    pub fn new(limit: usize) -> Arc<Counter<K>> {
        Arc::new(Counter {
            limit,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A slot for `key`, or `None` when it already holds `limit`.
    pub fn take(self: &Arc<Self>, key: K) -> Option<Slot<K>> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            counter: self.clone(),
            key,
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.open.lock().unwrap().len()
    }
}

impl<K: Hash + Eq> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut open = self.counter.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                // Keys of closed sockets do not pile up.
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_holds_at_most_the_limit_and_gets_slots_back() {
        let counter = Counter::new(2);
        let a = counter.take("a").unwrap();
        let _b = counter.take("a").unwrap();
        assert!(counter.take("a").is_none());
        assert!(counter.take("other").is_some(), "keys are independent");
        drop(a);
        let c = counter.take("a").unwrap();
        drop(c);
        drop(_b);
        assert_eq!(counter.len(), 0, "nothing left behind");
    }
}
