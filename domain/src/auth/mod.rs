//! Customer identity: registration, sign-in, sessions, passwords, TOTP, OAuth.

pub mod rules;
pub mod totp;
