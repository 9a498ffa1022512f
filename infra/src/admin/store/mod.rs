//! SQL of staff identity (schema `staff`). Every function takes the caller's connection or
//! transaction; nothing here opens one.

pub mod admins;
pub mod invitations;
pub mod keys;
pub mod mfa;
pub mod sessions;
pub mod stats;
