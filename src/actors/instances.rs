//! Who is online on the other instances, as their presence events on the bus
//! tell it, and which instances have gone silent. Plain bookkeeping for the
//! hub: an instance that stops heartbeating (killed, cut off) is forgotten
//! after a TTL, and with it the users only it had.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::domain::UserId;

struct Instance {
    last_seen: Instant,
    users: HashSet<UserId>,
}

#[derive(Default)]
pub struct Instances {
    by_origin: HashMap<String, Instance>,
    /// On how many other instances each user is online.
    count: HashMap<UserId, usize>,
}

impl Instances {
    fn instance(&mut self, origin: &str, now: Instant) -> &mut Instance {
        let instance = self
            .by_origin
            .entry(origin.to_owned())
            .or_insert_with(|| Instance {
                last_seen: now,
                users: HashSet::new(),
            });
        instance.last_seen = now;
        instance
    }

    /// Any event from `origin` shows it alive.
    pub fn seen(&mut self, origin: &str, now: Instant) {
        self.instance(origin, now);
    }

    /// Whether `user` is online on some other instance.
    pub fn has(&self, user: UserId) -> bool {
        self.count.contains_key(&user)
    }

    /// `user` is online on `origin`.
    pub fn add(&mut self, origin: &str, user: UserId, now: Instant) {
        if self.instance(origin, now).users.insert(user) {
            *self.count.entry(user).or_default() += 1;
        }
    }

    /// `user` is no longer online on `origin`.
    pub fn remove(&mut self, origin: &str, user: UserId, now: Instant) {
        if self.instance(origin, now).users.remove(&user) {
            self.forget_one(user);
        }
    }

    fn forget_one(&mut self, user: UserId) {
        if let Some(n) = self.count.get_mut(&user) {
            *n -= 1;
            if *n == 0 {
                self.count.remove(&user);
            }
        }
    }

    /// The users `origin` has that `roster` lacks, and those it lacks that
    /// `roster` has: what applying the roster will remove and add.
    pub fn diff(&self, origin: &str, roster: &HashSet<UserId>) -> (Vec<UserId>, Vec<UserId>) {
        let empty = HashSet::new();
        let known = self.by_origin.get(origin).map_or(&empty, |i| &i.users);
        let gone = known.difference(roster).copied().collect();
        let new = roster.difference(known).copied().collect();
        (gone, new)
    }

    /// Drops the instances silent for longer than `ttl`; answers the users
    /// they had (already removed, so [`has`](Self::has) tells whether each
    /// is still online elsewhere).
    pub fn expire(&mut self, now: Instant, ttl: Duration) -> Vec<UserId> {
        let silent: Vec<String> = self
            .by_origin
            .iter()
            .filter(|(_, i)| now.duration_since(i.last_seen) > ttl)
            .map(|(origin, _)| origin.clone())
            .collect();
        let mut users = Vec::new();
        for origin in silent {
            if let Some(instance) = self.by_origin.remove(&origin) {
                log::warn!("instance {origin} silent for {ttl:?}: its users go offline");
                for user in instance.users {
                    self.forget_one(user);
                    users.push(user);
                }
            }
        }
        users
    }

    /// After this instance's own bus outage nobody could be heard: give
    /// every instance a fresh TTL rather than declare them all dead.
    pub fn refresh_all(&mut self, now: Instant) {
        for instance in self.by_origin.values_mut() {
            instance.last_seen = now;
        }
    }

    /// Other instances heard from, and users online on them (for metrics).
    pub fn sizes(&self) -> (usize, usize) {
        (self.by_origin.len(), self.count.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U1: UserId = UserId(1);
    const U2: UserId = UserId(2);

    #[test]
    fn a_user_is_online_while_any_instance_has_them() {
        let now = Instant::now();
        let mut i = Instances::default();
        i.add("a", U1, now);
        i.add("b", U1, now);
        i.add("b", U1, now);
        i.remove("a", U1, now);
        assert!(i.has(U1), "still on b");
        i.remove("b", U1, now);
        assert!(!i.has(U1));
        i.remove("b", U1, now);
        assert_eq!(i.sizes(), (2, 0));
    }

    #[test]
    fn silent_instances_expire_with_their_users_unless_refreshed() {
        let t0 = Instant::now();
        let ttl = Duration::from_secs(5);
        let mut i = Instances::default();
        i.add("a", U1, t0);
        i.add("a", U2, t0);
        i.add("b", U2, t0);
        let t1 = t0 + Duration::from_secs(4);
        i.seen("b", t1);
        assert!(i.expire(t1, ttl).is_empty());
        let t2 = t0 + Duration::from_secs(6);
        let mut gone = i.expire(t2, ttl);
        gone.sort();
        assert_eq!(gone, vec![U1, U2]);
        assert!(!i.has(U1) && i.has(U2), "U2 is still on b");
        i.refresh_all(t0 + Duration::from_secs(30));
        assert!(i.expire(t0 + Duration::from_secs(31), ttl).is_empty());
    }

    #[test]
    fn a_roster_diff_names_who_left_and_who_came() {
        let now = Instant::now();
        let mut i = Instances::default();
        i.add("a", U1, now);
        let roster = HashSet::from([U2]);
        assert_eq!(i.diff("a", &roster), (vec![U1], vec![U2]));
        assert_eq!(i.diff("z", &roster), (vec![], vec![U2]));
    }
}
