//! Background workers per mode: the outbox relay and event consumers (`consumer`), the
//! mail sender (`mailer`), the scheduled jobs (`cron_executor`); `all` runs every one.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use helium_infra::DbSettings;
use helium_infra::cron::{CronExecutor, JobContext};
use helium_infra::events::consumer::ConsumerRunner;
use helium_infra::events::probe::ProbeHandler;
use helium_infra::events::relay::Relay;
use helium_infra::events::{Handler, Topology};
use helium_infra::mail::MailHandler;
use tokio_util::sync::CancellationToken;

use crate::mode::WorkMode;
use crate::settings::Settings;
use crate::state::AppState;

mod dlq_gauge;

pub type Worker = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// The names of [`event_consumers`] (queue names derive from them), for tools that clean up
/// or inspect queues without a running app. A test keeps the two in step.
pub const CONSUMER_NAMES: &[&str] = &[
    "probe",
    "shop_delivery",
    "shop_auto_renew",
    "telecom_packages",
    "telecom_package_mail",
    "market_referrals",
    "market_commissions",
    "notify_webhooks",
];

/// Consumers of the `consumer` mode (the mailer has its own mode).
pub fn event_consumers(state: &AppState) -> Vec<Arc<dyn Handler>> {
    let mut out: Vec<Arc<dyn Handler>> = vec![Arc::new(ProbeHandler)];
    out.extend(state.shop.handlers());
    out.extend(state.telecom.handlers());
    out.extend(state.market.handlers());
    out.extend(state.webhooks.handlers());
    out
}

/// Every scheduled job: the built-in purges and each domain's jobs.
pub fn cron_jobs(state: &AppState) -> Vec<Arc<dyn helium_infra::cron::Job>> {
    let mut jobs = helium_infra::cron::builtin_jobs();
    jobs.extend(state.shop.jobs());
    jobs.extend(state.telecom.jobs());
    jobs.extend(state.market.jobs());
    jobs.extend(state.notify.jobs());
    jobs.extend(state.webhooks.jobs());
    jobs.push(Arc::new(helium_infra::wallet::reconcile::ReconcileWallets::default()));
    jobs
}

/// (name, event types) of every consumer in any mode, for the relay to declare.
pub fn all_consumer_bindings(state: &AppState) -> Vec<(&'static str, &'static [&'static str])> {
    let mut out: Vec<(&'static str, &'static [&'static str])> =
        event_consumers(state).iter().map(|h| (h.name(), h.event_types())).collect();
    out.push(("mailer", &[helium_domain::events::types::EMAIL_REQUESTED]));
    out
}

fn consumer(settings: &Settings, state: &AppState, handler: Arc<dyn Handler>, stop: &CancellationToken) -> Worker {
    let runner = ConsumerRunner {
        db: state.db.clone(),
        mq: state.mq.clone(),
        topology: Topology::new(settings.events.mq_prefix.clone()),
        settings: settings.events.consumer.clone(),
        handler,
    };
    Box::pin(runner.run(stop.clone()))
}

/// The workers a mode runs. Each returns when `stop` is cancelled, after finishing the unit
/// of work in hand.
pub fn for_mode(
    mode: WorkMode,
    settings: &Settings,
    state: &AppState,
    stop: &CancellationToken,
) -> anyhow::Result<Vec<Worker>> {
    let mut out: Vec<Worker> = Vec::new();
    let runs = |m: WorkMode| mode == m || mode == WorkMode::All;
    if runs(WorkMode::Consumer) {
        let relay = Relay {
            db: state.db.clone(),
            mq: state.mq.clone(),
            topology: Topology::new(settings.events.mq_prefix.clone()),
            batch: settings.events.relay_batch,
            consumers: all_consumer_bindings(state),
            retry_delays_ms: settings.events.consumer.retry_delays_ms(),
        };
        out.push(Box::pin(relay.run(stop.clone())));
        for handler in event_consumers(state) {
            out.push(consumer(settings, state, handler, stop));
        }
        // Outgoing webhooks are sent here, next to their fan-out: a short loop over due rows.
        out.push(Box::pin(state.webhooks.sender().run(stop.clone())));
        let names = all_consumer_bindings(state).into_iter().map(|(name, _)| name).collect();
        let topology = Topology::new(settings.events.mq_prefix.clone());
        out.push(Box::pin(dlq_gauge::run(state.mq.clone(), topology, names, stop.clone())));
    }
    if runs(WorkMode::Mailer) {
        let handler = MailHandler {
            config: state.config.clone(),
            keys: state.keys.clone(),
            max_attempts: settings.events.consumer.max_attempts,
            public_url: settings.public_url.clone(),
        };
        out.push(consumer(settings, state, Arc::new(handler), stop));
    }
    if runs(WorkMode::CronExecutor) {
        let leader_db = DbSettings {
            url: settings.cron_database_url.clone().unwrap_or_else(|| settings.db.url.clone()),
            ..settings.db.clone()
        };
        let cron = CronExecutor {
            ctx: JobContext { db: state.db.clone(), config: state.config.clone(), keys: state.keys.clone() },
            leader_options: leader_db.connect_options()?,
            interval: Duration::from_secs(settings.scan_interval_secs),
            jobs: cron_jobs(state),
        };
        out.push(Box::pin(cron.run(stop.clone())));
    }
    Ok(out)
}
