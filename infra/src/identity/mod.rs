//! Identity building blocks customers and staff share: password hashing, opaque tokens and
//! JWTs, failure limits, TOTP and the second-factor check, sealing under the data key, and
//! the password sign-in skeleton. Nothing here knows which kind of account it serves.

pub mod attempts;
pub mod keyring;
pub mod password;
pub mod password_login;
pub mod seal;
pub mod second_factor;
pub mod sends;
pub mod tokens;
pub mod totp;
