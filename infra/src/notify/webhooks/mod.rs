//! Outgoing webhooks: staff-managed endpoints ([`endpoints::Endpoints`]), the outbox consumer
//! that fans an event out into one delivery per subscribed endpoint ([`delivery::Fanout`]) and
//! the sender that signs and POSTs due deliveries with back-off ([`delivery::Sender`], run by
//! the `consumer` mode next to the fan-out).

pub mod delivery;
pub mod endpoints;
pub mod jobs;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use helium_domain::notify::webhooks::default_schedule;

use crate::db::Db;
use crate::identity::keyring::DataKey;
use crate::notify::outbound::Outbound;

/// Operator settings (environment, see `api/src/settings.rs`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Tests only (`HELIUM_WEBHOOKS_ALLOW_LOOPBACK=1`): loopback addresses and plain http may be
    /// endpoint URLs and outbound targets. Nothing else inward is ever allowed.
    pub allow_loopback: bool,
    /// Waits between tries (`HELIUM_WEBHOOKS_RETRY_SCHEDULE`, comma-separated seconds); when
    /// spent, the delivery fails.
    pub retry_schedule: Vec<Duration>,
    /// How often the sender looks for due deliveries.
    pub poll_interval: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self { allow_loopback: false, retry_schedule: default_schedule(), poll_interval: Duration::from_secs(1) }
    }
}

pub struct WebhookContext {
    pub db: Db,
    /// Seals endpoint secrets; keys the audit chain.
    pub keys: DataKey,
    pub settings: WebhookSettings,
    pub outbound: Outbound,
}

/// Every webhook service over one context.
#[derive(Clone)]
pub struct WebhookServices {
    pub context: Arc<WebhookContext>,
    pub endpoints: endpoints::Endpoints,
}

impl WebhookServices {
    pub fn new(db: Db, keys: DataKey, settings: WebhookSettings) -> Self {
        let outbound = Outbound::new(settings.allow_loopback);
        let ctx = Arc::new(WebhookContext { db, keys, settings, outbound });
        Self { endpoints: endpoints::Endpoints(ctx.clone()), context: ctx }
    }

    /// The outbox consumer of the `consumer` mode.
    pub fn handlers(&self) -> Vec<Arc<dyn crate::events::Handler>> {
        vec![Arc::new(delivery::Fanout(self.context.clone()))]
    }

    /// Scheduled jobs (`cron_executor`).
    pub fn jobs(&self) -> Vec<Arc<dyn crate::cron::Job>> {
        vec![Arc::new(jobs::PurgeWebhookDeliveries)]
    }

    /// The sender loop of the `consumer` mode.
    pub fn sender(&self) -> delivery::Sender {
        delivery::Sender(self.context.clone())
    }
}
