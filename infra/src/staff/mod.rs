//! Staff identity and governance: accounts, sessions, API keys, the audit log.

pub mod audit;
pub mod key_store;
pub mod service;
pub mod store;
