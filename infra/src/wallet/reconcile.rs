//! Nightly reconciliation: every cached balance against the sum of its ledger entries. A
//! difference is reported (log, `helium_wallet_drift_total`, a finding row and an audit row),
//! never fixed silently.

use std::time::Duration;

use helium_domain::audit::{Actor, AuditAction, Change};
use serde_json::json;

use super::store::wallets;
use crate::cron::{Every, Job, JobContext};
use crate::db::Db;
use crate::identity::keyring::DataKey;

/// Wallets compared per transaction.
const PAGE: i64 = 500;
/// How often the comparison runs (the cron wakes more often; the job skips until due).
const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Compares every wallet; returns how many differ. Findings already recorded for a wallet
/// are recorded again on later runs while the drift lasts (each run is a fresh report).
pub async fn reconcile(db: &Db, keys: &DataKey) -> anyhow::Result<u64> {
    let mut after = None;
    let mut drifted = 0;
    loop {
        let page = {
            let mut c = db.conn().await?;
            wallets::drifted(&mut c, after, PAGE).await?
        };
        let Some(last) = page.last() else { break };
        after = Some(last.user_id);
        for d in page.iter().filter(|d| d.differs()) {
            drifted += 1;
            metrics::counter!("helium_wallet_drift_total").increment(1);
            tracing::error!(
                user_id = %d.user_id, cached_available = d.cached_available, ledger_available = d.ledger_available,
                cached_frozen = d.cached_frozen, ledger_frozen = d.ledger_frozen,
                "wallet balance differs from its ledger"
            );
            let mut tx = db.begin().await?;
            wallets::record_finding(&mut tx, d).await?;
            let change = Change::new(AuditAction::WalletDrift, "wallet", d.user_id).after(json!({
                "cached_available": d.cached_available, "ledger_available": d.ledger_available,
                "cached_frozen": d.cached_frozen, "ledger_frozen": d.ledger_frozen,
            }));
            crate::audit::append(&mut tx, keys, &Actor::system(), change).await?;
            tx.commit().await?;
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    metrics::gauge!("helium_wallet_drifted_wallets").set(drifted as f64);
    Ok(drifted)
}

/// The cron job around [`reconcile`], at most once a day per leader.
pub struct ReconcileWallets {
    every: Every,
}

impl Default for ReconcileWallets {
    fn default() -> Self {
        Self { every: Every::new(EVERY) }
    }
}

#[async_trait::async_trait]
impl Job for ReconcileWallets {
    fn name(&self) -> &'static str {
        "reconcile_wallets"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        if !self.every.due() {
            return Ok(0);
        }
        reconcile(&ctx.db, &ctx.keys).await
    }
}
