//! Customer identity infrastructure: password hashing, tokens, the SQL store and the
//! use cases that combine them.

pub mod attempts;
pub mod customer_admin_store;
pub mod customer_ops;
pub mod identity_store;
pub mod methods;
pub mod mfa;
pub mod mfa_store;
pub mod oauth;
pub mod oauth_client;
pub mod password;
pub mod recovery;
pub mod second_factor;
pub mod service;
pub mod store;
pub mod tokens;
pub mod totp;
