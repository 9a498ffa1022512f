//! Commerce: customer groups, the catalog, coupons, orders, payments (wallet, staff,
//! gateway), refunds, top-ups and auto-renewal. One service per group of use cases over one
//! [`ShopContext`]; SQL in `store`.

pub mod catalog;
pub mod checkout;
pub mod context;
pub mod coupons;
pub mod delivery;
pub mod gateway_query;
pub mod groups;
pub mod jobs;
pub mod methods;
pub mod orders;
pub mod renewals;
pub mod store;
pub mod top_ups;

use std::sync::Arc;

pub use context::ShopContext;

/// Every shop service, built once over one context.
#[derive(Clone)]
pub struct ShopServices {
    pub context: Arc<ShopContext>,
    pub groups: groups::Groups,
    pub catalog: catalog::Catalog,
    pub coupons: coupons::Coupons,
    pub orders: orders::Orders,
    pub checkout: checkout::Checkout,
    pub methods: methods::Methods,
    pub top_ups: top_ups::TopUps,
    pub renewals: renewals::Renewals,
}

impl ShopServices {
    pub fn new(context: ShopContext) -> Self {
        let ctx = Arc::new(context);
        Self {
            groups: groups::Groups(ctx.clone()),
            catalog: catalog::Catalog(ctx.clone()),
            coupons: coupons::Coupons(ctx.clone()),
            orders: orders::Orders(ctx.clone()),
            checkout: checkout::Checkout(ctx.clone()),
            methods: methods::Methods(ctx.clone()),
            top_ups: top_ups::TopUps(ctx.clone()),
            renewals: renewals::Renewals(ctx.clone()),
            context: ctx,
        }
    }

    /// The shop's consumers (delivery, auto-renewal).
    pub fn handlers(&self) -> Vec<Arc<dyn crate::events::consumer::Handler>> {
        vec![
            Arc::new(delivery::DeliveryHandler {
                keys: self.context.keys.clone(),
                public_url: self.context.public_url.clone(),
            }),
            Arc::new(renewals::AutoRenewHandler { ctx: self.context.clone() }),
        ]
    }

    /// The shop's cron jobs.
    pub fn jobs(&self) -> Vec<Arc<dyn crate::cron::Job>> {
        vec![
            Arc::new(jobs::CancelExpiredOrders(self.orders.clone())),
            Arc::new(gateway_query::QueryGatewayPayments::new(self.checkout.clone())),
        ]
    }
}
