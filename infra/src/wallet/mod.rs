//! Wallets: balances, the double-entry ledger ([`ledger::post`] is the one way money moves),
//! staff adjustments, reconciliation, gift cards.

pub mod context;
pub mod gift_cards;
pub mod ledger;
pub mod reconcile;
pub mod store;
pub mod wallets;

use std::sync::Arc;

pub use context::WalletContext;

/// Every wallet service, over one context.
#[derive(Clone)]
pub struct WalletServices {
    pub context: Arc<WalletContext>,
    pub wallets: wallets::Wallets,
    pub gift_cards: gift_cards::GiftCards,
}

impl WalletServices {
    pub fn new(context: WalletContext) -> Self {
        let ctx = Arc::new(context);
        Self { wallets: wallets::Wallets(ctx.clone()), gift_cards: gift_cards::GiftCards(ctx.clone()), context: ctx }
    }
}
