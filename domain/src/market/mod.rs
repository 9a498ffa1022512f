//! Market: invite codes, referrals (who brought whom, once, forever), commissions on the
//! referees' paid orders, and withdrawing them to the wallet.

pub mod commands;
pub mod model;
pub mod rules;
