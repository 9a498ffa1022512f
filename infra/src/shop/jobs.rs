//! The shop's cron jobs.

use crate::cron::{BATCH, Job, JobContext, MAX_BATCHES};

use super::orders::Orders;

/// Cancels unpaid orders past `shop.auto_cancel_after` (their coupon uses go back once).
pub struct CancelExpiredOrders(pub Orders);

#[async_trait::async_trait]
impl Job for CancelExpiredOrders {
    fn name(&self) -> &'static str {
        "cancel_expired_orders"
    }

    async fn run(&self, _ctx: &JobContext) -> anyhow::Result<u64> {
        let mut total = 0;
        for _ in 0..MAX_BATCHES {
            let n = self.0.cancel_expired(BATCH).await?;
            total += n;
            if n < BATCH as u64 {
                break;
            }
        }
        Ok(total)
    }
}
