//! The message ids a room has delivered lately, so that messages replayed
//! from the database after a bus outage reach each session once: whatever
//! was delivered live (committed here, or heard on the bus before it broke)
//! is skipped.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::domain::MessageId;

/// How long a delivered id is remembered while the bus is up. A replay
/// looks back 10 s before the outage began (see `bus::replay`), well inside.
pub const REMEMBER: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Recent {
    order: VecDeque<(Instant, MessageId)>,
    ids: HashSet<MessageId>,
}

impl Recent {
    /// Records `id` as delivered; `false` if it was already. `prune` drops
    /// what is older than [`REMEMBER`] — not while the bus is down, when
    /// everything delivered must be remembered until the replay.
    pub fn first_time(&mut self, id: MessageId, now: Instant, prune: bool) -> bool {
        if prune {
            while let Some(&(at, old)) = self.order.front() {
                if now.duration_since(at) < REMEMBER {
                    break;
                }
                self.order.pop_front();
                self.ids.remove(&old);
            }
        }
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back((now, id));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_counts_once_until_forgotten() {
        let t0 = Instant::now();
        let mut r = Recent::default();
        assert!(r.first_time(MessageId(1), t0, true));
        assert!(!r.first_time(MessageId(1), t0, true));
        let later = t0 + REMEMBER + Duration::from_secs(1);
        assert!(
            !r.first_time(MessageId(1), later, false),
            "kept while the bus is down"
        );
        assert!(r.first_time(MessageId(2), later, true));
        assert!(
            r.first_time(MessageId(1), later, true),
            "forgotten once pruned"
        );
    }
}
