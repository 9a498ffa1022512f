//! Customer identity infrastructure: password hashing, tokens, the SQL store and the
//! use cases that combine them.

pub mod mfa;
pub mod mfa_store;
pub mod password;
pub mod recovery;
pub mod service;
pub mod store;
pub mod tokens;
pub mod totp;
