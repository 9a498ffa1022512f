//! Staff identity and governance: accounts, sign-in and the per-request check, self-service,
//! API keys, invitations, the audit log, the config API and the dashboard's statistics — one
//! service per group of use cases over one shared [`AdminContext`], and their SQL (`store`).

pub mod accounts;
pub mod api_keys;
pub mod auth;
pub mod context;
pub mod factors;
pub mod governance;
pub mod invitations;
pub mod self_service;
pub mod stats;
pub mod store;

use std::sync::Arc;

pub use context::AdminContext;

/// Every staff service, built once over one context.
#[derive(Clone)]
pub struct AdminServices {
    pub context: Arc<AdminContext>,
    pub admins: accounts::Admins,
    pub auth: auth::StaffAuth,
    pub me: self_service::StaffSelf,
    pub api_keys: api_keys::ApiKeys,
    pub invitations: invitations::Invitations,
    pub governance: governance::Governance,
    /// The dashboard's statistics.
    pub stats: stats::Stats,
}

impl AdminServices {
    pub fn new(context: AdminContext) -> Self {
        let ctx = Arc::new(context);
        Self {
            admins: accounts::Admins(ctx.clone()),
            auth: auth::StaffAuth(ctx.clone()),
            me: self_service::StaffSelf(ctx.clone()),
            api_keys: api_keys::ApiKeys(ctx.clone()),
            invitations: invitations::Invitations(ctx.clone()),
            governance: governance::Governance(ctx.clone()),
            stats: stats::Stats(ctx.clone()),
            context: ctx,
        }
    }
}
