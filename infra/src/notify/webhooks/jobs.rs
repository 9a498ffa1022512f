//! Webhook cron jobs.

use crate::cron::{Job, JobContext};

/// Forgets delivered and failed deliveries (with their attempts) after 30 days: the history
/// staff read when a receiver complains, not an archive.
pub struct PurgeWebhookDeliveries;

#[async_trait::async_trait]
impl Job for PurgeWebhookDeliveries {
    fn name(&self) -> &'static str {
        "purge_webhook_deliveries"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        crate::cron::in_batches(&ctx.db, |c| {
            Box::pin(async move {
                Ok(sqlx::query!(
                    "DELETE FROM notify.webhook_deliveries WHERE id IN (SELECT id FROM notify.webhook_deliveries
                      WHERE status IN ('delivered', 'failed') AND updated_at < now() - interval '30 days' LIMIT 1000)"
                )
                .execute(crate::db::ex(c))
                .await?
                .rows_affected())
            })
        })
        .await
    }
}
