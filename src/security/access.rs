//! The per-request access check's cache: who a user id is now (exists? which
//! role?) and what that role may do. Invalidated on delete and role change,
//! so those take effect on the very next request.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::domain::{Permission, Role, UserId};

/// A user as the access check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
}

/// Role → permissions, loaded from the `role_permissions` table.
#[derive(Debug, Default, Clone)]
pub struct PermissionTable(HashMap<Role, HashSet<Permission>>);

impl PermissionTable {
    /// Builds the table from stored rows; unknown names are skipped with a warning
    /// so a newer migration cannot crash an older binary.
    pub fn from_rows(rows: &[(String, String)]) -> PermissionTable {
        let mut map: HashMap<Role, HashSet<Permission>> = HashMap::new();
        for (role, perm) in rows {
            match (Role::parse(role), Permission::parse(perm)) {
                (Some(r), Some(p)) => {
                    map.entry(r).or_default().insert(p);
                }
                _ => log::warn!("ignoring unknown role permission {role}/{perm}"),
            }
        }
        PermissionTable(map)
    }

    pub fn allows(&self, role: Role, perm: Permission) -> bool {
        self.0.get(&role).is_some_and(|set| set.contains(&perm))
    }
}

type Entry = (Instant, Option<Arc<Access>>);

/// In-process cache of [`Access`] by user id, negative answers included.
pub struct AccessCache {
    entries: RwLock<HashMap<UserId, Entry>>,
    ttl: Duration,
    /// Bumped by every invalidation; a load that started before one must not
    /// store what it read, or a stale role could outlive the change.
    epoch: AtomicU64,
    pub permissions: PermissionTable,
}

impl AccessCache {
    pub fn new(permissions: PermissionTable, ttl: Duration) -> AccessCache {
        AccessCache {
            entries: RwLock::new(HashMap::new()),
            ttl,
            epoch: AtomicU64::new(0),
            permissions,
        }
    }

    /// `Some(answer)` when cached and fresh; `None` means ask the database.
    pub fn get(&self, user_id: UserId) -> Option<Option<Arc<Access>>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&user_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, a)| a.clone())
    }

    /// The epoch to pass to [`AccessCache::put`] for a load starting now.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    pub fn put(
        &self,
        user_id: UserId,
        access: Option<Access>,
        loaded_at_epoch: u64,
    ) -> Option<Arc<Access>> {
        let access = access.map(Arc::new);
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::SeqCst) == loaded_at_epoch {
            if entries.len() > 100_000 {
                entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            }
            entries.insert(user_id, (Instant::now(), access.clone()));
        }
        access
    }

    pub fn invalidate(&self, user_id: UserId) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.remove(&user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Access {
        Access {
            user_id: UserId(1),
            username: "ann".into(),
            role: Role::User,
        }
    }

    #[test]
    fn permissions_come_from_rows() {
        let table = PermissionTable::from_rows(&[
            ("user".into(), "chats.write".into()),
            ("user".into(), "bogus".into()),
        ]);
        assert!(table.allows(Role::User, Permission::Write));
        assert!(!table.allows(Role::Guest, Permission::Write));
        assert!(!table.allows(Role::User, Permission::Admin));
    }

    #[test]
    fn invalidation_wins_over_a_load_that_started_before_it() {
        let cache = AccessCache::new(PermissionTable::default(), Duration::from_secs(60));
        let epoch = cache.epoch();
        cache.invalidate(UserId(1));
        cache.put(UserId(1), Some(ann()), epoch);
        assert_eq!(cache.get(UserId(1)), None, "stale load must not be cached");

        let epoch = cache.epoch();
        cache.put(UserId(1), Some(ann()), epoch);
        assert_eq!(
            cache.get(UserId(1)).flatten().map(|a| a.role),
            Some(Role::User)
        );
        cache.invalidate(UserId(1));
        assert_eq!(cache.get(UserId(1)), None);
    }

    #[test]
    fn entries_expire() {
        let cache = AccessCache::new(PermissionTable::default(), Duration::ZERO);
        cache.put(UserId(1), Some(ann()), cache.epoch());
        assert_eq!(cache.get(UserId(1)), None);
    }
}
