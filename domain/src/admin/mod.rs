//! Staff identity rules: roles, the permission table (the single source of truth for the
//! router guard, `x-helium-permission`, `adminListRoles` and the access tests), grants, and
//! the model and commands of staff accounts.

pub mod commands;
pub mod model;
pub mod permissions;
pub mod roles;

pub use model::{Admin, AdminStatus, ApiKey, Invitation, InvitationStatus, StaffLogin, StaffPrincipal};
pub use permissions::Permission;
pub use roles::Role;
