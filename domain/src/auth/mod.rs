//! Customer identity: registration, sign-in, sessions, passwords, TOTP, OAuth — the model, the
//! commands adapters build, and the pure rules.

pub mod commands;
pub mod model;
pub mod oauth;
pub mod rules;
pub mod totp;

pub use model::*;
