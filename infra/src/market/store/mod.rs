//! Market SQL: invite codes, referrals, policies, commissions, balances, withdrawals.

pub mod accounts;
pub mod codes;
pub mod commissions;
pub mod referrals;
