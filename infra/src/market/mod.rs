//! Market: invite codes, referral links made from the code a customer registered with,
//! commissions on referees' paid orders (pending → available → withdrawn to the wallet,
//! reversed by a refund), staff policies.

pub mod affiliates;
pub mod codes;
pub mod commissions;
pub mod context;
pub mod earnings;
pub mod linking;
pub mod store;

use std::sync::Arc;

pub use context::MarketContext;

#[derive(Clone)]
pub struct MarketServices {
    pub context: Arc<MarketContext>,
    pub codes: codes::InviteCodes,
    pub earnings: earnings::Earnings,
    pub affiliates: affiliates::Affiliates,
}

impl MarketServices {
    pub fn new(context: MarketContext) -> Self {
        let ctx = Arc::new(context);
        Self {
            codes: codes::InviteCodes(ctx.clone()),
            earnings: earnings::Earnings(ctx.clone()),
            affiliates: affiliates::Affiliates(ctx.clone()),
            context: ctx,
        }
    }

    /// Consumers: referral links on sign-up, commissions on payment, reversals on refund.
    pub fn handlers(&self) -> Vec<Arc<dyn crate::events::consumer::Handler>> {
        vec![
            Arc::new(linking::ReferralLinker(self.context.clone())),
            Arc::new(commissions::CommissionHandler(self.context.clone())),
        ]
    }

    pub fn jobs(&self) -> Vec<Arc<dyn crate::cron::Job>> {
        vec![Arc::new(commissions::ReleaseCommissions(self.context.clone()))]
    }
}
