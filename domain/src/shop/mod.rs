//! Commerce: customer groups, the catalog (package series with immutable versions, products),
//! coupons and orders.

pub mod model;
