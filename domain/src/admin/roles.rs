//! The four staff roles, ordered by reach.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Encode, sqlx::Decode)]
#[sqlx(rename_all = "snake_case")]
pub enum Role {
    SupportBot,
    CustomerSupport,
    Moderator,
    SuperAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::SuperAdmin, Role::Moderator, Role::CustomerSupport, Role::SupportBot];

    /// Stable wire and storage name (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SuperAdmin => "super_admin",
            Role::Moderator => "moderator",
            Role::CustomerSupport => "customer_support",
            Role::SupportBot => "support_bot",
        }
    }

    /// Human name, as the CLI prints it.
    pub fn display_name(self) -> &'static str {
        match self {
            Role::SuperAdmin => "Super Admin",
            Role::Moderator => "Moderator",
            Role::CustomerSupport => "Customer Support",
            Role::SupportBot => "Support Bot",
        }
    }

    /// Accepts the seed's spellings, case-insensitively: `super_admin`, `superadmin`,
    /// `super-admin`, `SuperAdmin` (and likewise for the others).
    pub fn parse(raw: &str) -> Option<Role> {
        let folded: String =
            raw.trim().chars().filter(|c| *c != '_' && *c != '-' && *c != ' ').collect::<String>().to_lowercase();
        match folded.as_str() {
            "superadmin" => Some(Role::SuperAdmin),
            "moderator" => Some(Role::Moderator),
            "customersupport" => Some(Role::CustomerSupport),
            "supportbot" => Some(Role::SupportBot),
            _ => None,
        }
    }

    /// Nobody grants a role above their own.
    pub fn may_grant(self, target: Role) -> bool {
        target <= self
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_spellings_parse() {
        for raw in ["super_admin", "superadmin", "super-admin", "SuperAdmin", "SUPER_ADMIN", " Super Admin "] {
            assert_eq!(Role::parse(raw), Some(Role::SuperAdmin), "{raw}");
        }
        for raw in ["customer_support", "customersupport", "customer-support", "CustomerSupport"] {
            assert_eq!(Role::parse(raw), Some(Role::CustomerSupport), "{raw}");
        }
        for raw in ["support_bot", "supportbot", "support-bot"] {
            assert_eq!(Role::parse(raw), Some(Role::SupportBot), "{raw}");
        }
        assert_eq!(Role::parse("moderator"), Some(Role::Moderator));
        for raw in ["admin", "root", "", "super__adminx"] {
            assert_eq!(Role::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn roles_round_trip_and_grant_downwards_only() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert!(r.may_grant(r));
        }
        assert!(Role::SuperAdmin.may_grant(Role::Moderator));
        assert!(!Role::Moderator.may_grant(Role::SuperAdmin));
        assert!(!Role::CustomerSupport.may_grant(Role::Moderator));
        assert!(!Role::SupportBot.may_grant(Role::CustomerSupport));
    }
}

crate::pg_text!(Role);
