//! SQL of customer identity (schema `auth`). Every function takes the connection or
//! transaction of the use case that calls it; nothing here opens one.

pub mod customers;
pub mod identities;
pub mod mfa;
pub mod one_time;
pub mod sessions;
pub mod users;
