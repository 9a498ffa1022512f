//! Commerce: customer groups, the catalog (package series with immutable versions, products),
//! coupons, orders and payments.

pub mod commands;
pub mod model;
pub mod rules;
