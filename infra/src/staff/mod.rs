//! Staff identity and governance: accounts, sessions, API keys, the audit log.

pub mod admins;
pub mod api_keys;
pub mod audit;
pub mod config_admin;
pub mod invitation_store;
pub mod invitations;
pub mod key_store;
pub mod mfa;
pub mod mfa_store;
pub mod service;
pub mod store;
