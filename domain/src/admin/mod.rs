//! Staff identity rules: roles, the permission table (the single source of truth for the
//! router guard, `x-helium-permission`, `adminListRoles` and the access tests), grants, and
//! the model and commands of staff accounts, and the dashboard's statistics.

pub mod commands;
pub mod model;
pub mod permissions;
pub mod roles;
pub mod stats;

pub use model::{Admin, AdminStatus, ApiKey, Invitation, InvitationStatus, StaffLogin, StaffPrincipal};
pub use permissions::Permission;
pub use roles::Role;
