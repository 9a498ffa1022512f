//! SQL of the support domain.

pub mod messages;
pub mod tickets;
