//! The staff dashboard (`adminGetDashboardStats`): aggregates counted in SQL on one
//! connection, cached in Redis for [`CACHE_TTL_SECS`] per (range, time zone, visible
//! sections), so a dashboard left open by many staff costs one set of queries per half minute.
//! Losing Redis only costs the cache.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use helium_domain::DomainError;
use helium_domain::admin::stats::{DashboardQuery, DashboardStats, unknown_time_zone};
use redis::AsyncCommands;

use super::context::AdminContext;
use super::store::stats;

/// How long one computed answer is served from the cache.
pub const CACHE_TTL_SECS: u64 = 30;
const REDIS_OP_TIMEOUT: Duration = Duration::from_millis(300);

#[derive(Clone)]
pub struct Stats(pub(crate) Arc<AdminContext>);

impl Stats {
    /// The dashboard numbers for `q` (each section only when `q.sections` allows it).
    pub async fn dashboard(&self, q: &DashboardQuery) -> Result<DashboardStats, DomainError> {
        let key = self.0.redis.key(&q.cache_key());
        if let Some(hit) = self.cached(&key).await {
            return Ok(hit);
        }
        // Configuration first: no connection is held while the config store may load.
        let config = &self.0.config;
        let currency = if q.sections.sales { Some(config.shop().await?.currency) } else { None };
        // Agents last heard from before this are offline (`node_health_check.offline_timeout`).
        let offline_cutoff = if q.sections.nodes {
            Some(config.telecom().await?.node_health_check.offline_cutoff(Utc::now()))
        } else {
            None
        };
        let answer = {
            let mut c = self.0.db.conn().await?;
            if !stats::time_zone_known(&mut c, &q.tz).await? {
                return Err(unknown_time_zone());
            }
            let (days, tz) = (q.days, q.tz.as_str());
            let customers = if q.sections.customers { Some(stats::customers(&mut c, days, tz).await?) } else { None };
            let staff = if q.sections.staff { Some(stats::staff(&mut c).await?) } else { None };
            let sales = match &currency {
                Some(cur) => Some(stats::sales(&mut c, days, tz, cur).await?),
                None => None,
            };
            let traffic = if q.sections.nodes { Some(stats::traffic(&mut c, days, tz).await?) } else { None };
            let nodes = match offline_cutoff {
                Some(cutoff) => Some(stats::nodes(&mut c, cutoff).await?),
                None => None,
            };
            let tickets = if q.sections.tickets { Some(stats::tickets(&mut c, days, tz).await?) } else { None };
            DashboardStats {
                generated_at: Utc::now(),
                days,
                tz: q.tz.clone(),
                customers,
                staff,
                sales,
                traffic,
                nodes,
                tickets,
            }
        };
        self.store(&key, &answer).await;
        Ok(answer)
    }

    async fn cached(&self, key: &str) -> Option<DashboardStats> {
        let result = tokio::time::timeout(REDIS_OP_TIMEOUT, async {
            let mut conn = self.0.redis.conn().await?;
            let raw: Option<String> = conn.get(key).await?;
            anyhow::Ok(raw)
        })
        .await;
        match result {
            Ok(Ok(Some(raw))) => serde_json::from_str(&raw).ok(),
            Ok(Ok(None)) => None,
            _ => {
                tracing::debug!("dashboard stats cache unavailable; counting afresh");
                None
            }
        }
    }

    async fn store(&self, key: &str, answer: &DashboardStats) {
        let Ok(raw) = serde_json::to_string(answer) else { return };
        let result = tokio::time::timeout(REDIS_OP_TIMEOUT, async {
            let mut conn = self.0.redis.conn().await?;
            conn.set_ex::<_, _, ()>(key, raw, CACHE_TTL_SECS).await?;
            anyhow::Ok(())
        })
        .await;
        if !matches!(result, Ok(Ok(()))) {
            tracing::debug!("dashboard stats cache write skipped: redis unavailable");
        }
    }
}
