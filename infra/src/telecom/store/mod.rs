//! Telecom SQL: one module per table family, every function on the caller's connection.

pub mod nodes;
pub mod packages;
pub mod subscriptions;
pub mod users;
