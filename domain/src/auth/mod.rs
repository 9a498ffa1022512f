//! Customer identity: registration, sign-in, sessions, passwords, TOTP, OAuth.

pub mod oauth;
pub mod rules;
pub mod totp;
