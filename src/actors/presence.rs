//! Who shares a chat with whom, kept for connected users only (and those in
//! their offline grace period). Contacts are computed from chat memberships
//! when needed rather than stored per user, so memory follows the
//! memberships of online users — never members² of a big chat.

use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub struct Presence {
    chats_of: HashMap<i64, HashSet<i64>>,
    users_in: HashMap<i64, HashSet<i64>>,
}

impl Presence {
    /// Whether `user` is tracked (connected, or within the offline grace).
    pub fn tracked(&self, user: i64) -> bool {
        self.chats_of.contains_key(&user)
    }

    /// Starts tracking `user` in `chats` (adds to what is known already: a
    /// second session may have loaded a fresher list).
    pub fn enter(&mut self, user: i64, chats: impl IntoIterator<Item = i64>) {
        let mine = self.chats_of.entry(user).or_default();
        for chat in chats {
            if mine.insert(chat) {
                self.users_in.entry(chat).or_default().insert(user);
            }
        }
    }

    /// Stops tracking `user`.
    pub fn leave(&mut self, user: i64) {
        for chat in self.chats_of.remove(&user).into_iter().flatten() {
            self.remove_from(chat, user);
        }
    }

    /// The tracked users sharing at least one chat with `user` for whom
    /// `keep` holds, each once. Filtering while collecting keeps a mass
    /// departure from a big chat cheap: few of the members are still online.
    pub fn contacts(&self, user: i64, keep: impl Fn(i64) -> bool) -> HashSet<i64> {
        let mut out = HashSet::new();
        for chat in self.chats_of.get(&user).into_iter().flatten() {
            let users = self.users_in.get(chat).into_iter().flatten();
            out.extend(users.copied().filter(|&u| u != user && keep(u)));
        }
        out
    }

    /// Adds a tracked `user` to `chat`; answers the tracked users who share
    /// a chat with them now and did not before.
    pub fn join(&mut self, user: i64, chat: i64) -> Vec<i64> {
        if !self.tracked(user) {
            return Vec::new();
        }
        let before = self.contacts(user, |_| true);
        self.enter(user, [chat]);
        self.users_in
            .get(&chat)
            .into_iter()
            .flatten()
            .copied()
            .filter(|other| *other != user && !before.contains(other))
            .collect()
    }

    /// `user` is no longer in `chat`.
    pub fn part(&mut self, user: i64, chat: i64) {
        if let Some(mine) = self.chats_of.get_mut(&user) {
            if mine.remove(&chat) {
                self.remove_from(chat, user);
            }
        }
    }

    fn remove_from(&mut self, chat: i64, user: i64) {
        if let Some(users) = self.users_in.get_mut(&chat) {
            users.remove(&user);
            if users.is_empty() {
                self.users_in.remove(&chat);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(set: impl IntoIterator<Item = i64>) -> Vec<i64> {
        let mut v: Vec<i64> = set.into_iter().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn contacts_are_the_tracked_users_of_shared_chats_once_each() {
        let mut p = Presence::default();
        p.enter(1, [10, 11]);
        p.enter(2, [10, 11]);
        p.enter(3, [11]);
        p.enter(4, [12]);
        assert_eq!(sorted(p.contacts(1, |_| true)), vec![2, 3]);
        assert_eq!(sorted(p.contacts(1, |u| u != 2)), vec![3]);
        assert_eq!(sorted(p.contacts(4, |_| true)), Vec::<i64>::new());
        p.leave(2);
        assert_eq!(sorted(p.contacts(1, |_| true)), vec![3]);
        assert!(!p.tracked(2));
    }

    #[test]
    fn joining_reports_only_new_contacts_and_parting_forgets() {
        let mut p = Presence::default();
        p.enter(1, [10]);
        p.enter(2, [10, 20]);
        p.enter(3, [20]);
        assert_eq!(sorted(p.join(1, 20)), vec![3], "2 was a contact already");
        assert_eq!(p.join(9, 20), Vec::<i64>::new(), "untracked users stay so");
        p.part(1, 20);
        p.part(1, 10);
        assert_eq!(sorted(p.contacts(1, |_| true)), Vec::<i64>::new());
        assert_eq!(sorted(p.contacts(2, |_| true)), vec![3]);
        p.leave(1);
        p.leave(2);
        p.leave(3);
        assert!(
            p.users_in.is_empty() && p.chats_of.is_empty(),
            "nothing left behind"
        );
    }
}
