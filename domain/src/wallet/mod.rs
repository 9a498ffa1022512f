//! Wallets: available and frozen balances, the double-entry ledger behind them, gift cards.

pub mod commands;
pub mod model;
pub mod rules;
