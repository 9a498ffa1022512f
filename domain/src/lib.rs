//! Helium business rules and use cases. No HTTP, SQL, Redis or AMQP types live here (state
//! enums implement `sqlx::Type` (see `pg_text`) so stores can read them, nothing more).

pub mod admin;
pub mod audit;
pub mod auth;
pub mod client;
pub mod clock;
pub mod config;
pub mod error;
pub mod events;
pub mod market;
pub mod meta;
pub mod money;
pub mod notify;
pub mod pg_text;
pub mod shop;
pub mod support;
pub mod telecom;
pub mod text;
pub mod wallet;

pub use client::ClientInfo;
pub use clock::{Clock, SystemClock};
pub use error::{DomainError, ErrorCode, FieldError, RpcCode};
