//! Money limits shared by configuration and the shop: amounts are integer minor units of the
//! one shop currency.

/// The largest amount any money field accepts (minor units): far below `i64::MAX`, so sums of
/// many amounts cannot overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
