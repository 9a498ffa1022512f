//! Helium business rules and use cases. No HTTP, SQL, Redis or AMQP types live here.

pub mod admin;
pub mod auth;
pub mod config;
pub mod error;
pub mod events;
pub mod meta;
pub mod telecom;

pub use error::{DomainError, ErrorCode, FieldError};
