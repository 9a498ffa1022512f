//! Telecom: node servers and clients, packages, subscription credentials, the UniProxy node
//! API and subscription documents.

pub mod context;
pub mod documents;
pub mod jobs;
pub mod mail;
pub mod node_api;
pub mod nodes;
pub mod packages;
pub mod snapshots;
pub mod store;
pub mod subscriptions;

use std::sync::Arc;

pub use context::TelecomContext;

#[derive(Clone)]
pub struct TelecomServices {
    pub context: Arc<TelecomContext>,
    pub nodes: nodes::Nodes,
    pub packages: packages::Packages,
    pub subscriptions: subscriptions::Subscriptions,
    pub node_api: Arc<node_api::NodeApi>,
    pub documents: Arc<documents::Documents>,
}

impl TelecomServices {
    pub fn new(context: TelecomContext) -> Self {
        let ctx = Arc::new(context);
        let packages = packages::Packages(ctx.clone());
        Self {
            nodes: nodes::Nodes(ctx.clone()),
            subscriptions: subscriptions::Subscriptions(ctx.clone()),
            node_api: Arc::new(node_api::NodeApi::new(ctx.clone(), packages.clone())),
            documents: Arc::new(documents::Documents::new(ctx.clone())),
            packages,
            context: ctx,
        }
    }

    /// The telecom consumers: packages from delivered orders (and refunds that cancel them),
    /// and the package e-mails.
    pub fn handlers(&self) -> Vec<Arc<dyn crate::events::consumer::Handler>> {
        vec![
            Arc::new(packages::DeliverPackages(self.context.clone())),
            Arc::new(mail::PackageMail(self.context.clone())),
        ]
    }

    /// The telecom cron jobs.
    pub fn jobs(&self) -> Vec<Arc<dyn crate::cron::Job>> {
        vec![
            Arc::new(jobs::SweepPackages(self.packages.clone())),
            Arc::new(jobs::PurgePushReceipts),
            Arc::new(jobs::NodeHealth(self.nodes.clone())),
        ]
    }
}
