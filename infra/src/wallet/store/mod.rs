//! Wallet SQL: balances, the ledger, gift cards.

pub mod gift_cards;
pub mod ledger;
pub mod wallets;
