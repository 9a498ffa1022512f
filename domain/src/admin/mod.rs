//! Staff identity rules: roles, the permission table (the single source of truth for the
//! router guard, `x-helium-permission`, `adminListRoles` and the access tests), grants.

pub mod permissions;
pub mod roles;

pub use permissions::Permission;
pub use roles::Role;
