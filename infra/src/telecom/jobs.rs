//! Telecom cron jobs.

use std::time::Duration;

use super::nodes::Nodes;
use super::packages::Packages;
use crate::cron::{BATCH, Job, JobContext, MAX_BATCHES};

/// Ends expired or used-up packages (activating the next ones), resets monthly traffic and
/// announces packages that end within `telecom.package_expiring_lead` (`package.expiring`, for
/// auto-renewal and the reminder).
pub struct SweepPackages(pub Packages);

#[async_trait::async_trait]
impl Job for SweepPackages {
    fn name(&self) -> &'static str {
        "sweep_packages"
    }

    async fn run(&self, _ctx: &JobContext) -> anyhow::Result<u64> {
        let mut total = 0;
        for _ in 0..MAX_BATCHES {
            let n = self.0.sweep(BATCH).await?;
            total += n;
            if n < BATCH as u64 {
                break;
            }
        }
        total += self.0.reset_due().await?;
        let lead = self.0.0.telecom_config().await?.package_expiring_lead.0;
        total += self.0.announce_expiring(Duration::from_secs(lead), BATCH).await?;
        Ok(total)
    }
}

/// Forgets push receipts older than an hour (the retry window is seconds) and hourly traffic
/// older than [`TRAFFIC_HISTORY_DAYS`] (the dashboard shows at most 90 days).
pub struct PurgePushReceipts;

pub const TRAFFIC_HISTORY_DAYS: i32 = 400;

#[async_trait::async_trait]
impl Job for PurgePushReceipts {
    fn name(&self) -> &'static str {
        "purge_push_receipts"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        let receipts = crate::cron::in_batches(&ctx.db, |c| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    "DELETE FROM telecom.push_receipts WHERE ctid IN (SELECT ctid FROM telecom.push_receipts
                      WHERE received_at < now() - interval '1 hour' LIMIT 1000)"
                )
                .execute(crate::db::ex(c))
                .await?
                .rows_affected())
            })
        })
        .await?;
        let traffic = crate::cron::in_batches(&ctx.db, |c| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    "DELETE FROM telecom.traffic_hourly WHERE ctid IN (SELECT ctid FROM telecom.traffic_hourly
                      WHERE hour < now() - make_interval(days => $1) LIMIT 1000)",
                    TRAFFIC_HISTORY_DAYS
                )
                .execute(crate::db::ex(c))
                .await?
                .rows_affected())
            })
        })
        .await?;
        Ok(receipts + traffic)
    }
}

/// Node clients not heard from within `node_health_check.offline_timeout` go offline
/// (`node.offline`); they come back online (`node.online`) on their agent's next call.
pub struct NodeHealth(pub Nodes);

#[async_trait::async_trait]
impl Job for NodeHealth {
    fn name(&self) -> &'static str {
        "node_health"
    }

    async fn run(&self, _ctx: &JobContext) -> anyhow::Result<u64> {
        let mut total = 0;
        for _ in 0..MAX_BATCHES {
            let n = self.0.mark_offline(BATCH).await?;
            total += n;
            if n < BATCH as u64 {
                break;
            }
        }
        Ok(total)
    }
}
