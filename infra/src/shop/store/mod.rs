//! Shop SQL.

pub mod catalog;
pub mod coupons;
pub mod groups;
pub mod methods;
pub mod orders;
pub mod payments;
pub mod products;
pub mod renewals;
