use serde::{Deserialize, Serialize};

/// An account's role. Which permissions a role has is data (the
/// `role_permissions` table); code only ever asks for a [`Permission`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Guest,
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::User => "user",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "guest" => Some(Role::Guest),
            "user" => Some(Role::User),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// What a request or frame may need. The strings are the keys stored in
/// `role_permissions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// List, read and follow public chats.
    ReadPublic,
    /// Create chats, send messages, direct messages, join public chats.
    Write,
    /// Manage members of chats one owns.
    ManageOwn,
    /// Search the user directory.
    SearchUsers,
    /// Delete any user or chat, change roles.
    Admin,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadPublic => "chats.read_public",
            Permission::Write => "chats.write",
            Permission::ManageOwn => "chats.manage_own",
            Permission::SearchUsers => "users.search",
            Permission::Admin => "admin.manage",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        [
            Permission::ReadPublic,
            Permission::Write,
            Permission::ManageOwn,
            Permission::SearchUsers,
            Permission::Admin,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_strings_round_trip() {
        for r in [Role::Guest, Role::User, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn permission_strings_round_trip() {
        for p in [
            "chats.read_public",
            "chats.write",
            "chats.manage_own",
            "users.search",
            "admin.manage",
        ] {
            assert_eq!(Permission::parse(p).map(Permission::as_str), Some(p));
        }
    }
}
