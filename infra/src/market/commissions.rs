//! Commissions: recorded on `order.paid` (once per order and beneficiary, within the
//! referee's trigger limit), released from `pending` after the holding period (cron),
//! reversed on `order.refunded`.

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use helium_domain::DomainError;
use helium_domain::events::{Event, types};
use helium_domain::market::model::{Balance, Commission, CommissionStatus};
use helium_domain::market::rules::{commission, release, reversal, within_trigger_limit};
use helium_domain::wallet::model::PostingKind;
use helium_domain::wallet::rules::lines;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{MarketContext, policy_of};
use super::linking::ensure_link;
use super::store::{accounts, commissions, referrals};
use crate::cron::{BATCH, Job, JobContext, MAX_BATCHES};
use crate::events::consumer::{Handler, HandlerError};
use crate::wallet::ledger::{Posting, post};

#[derive(Deserialize)]
struct OrderRef {
    order_id: Uuid,
}

/// `order.paid` → a commission for the referrer; `order.refunded` → its reversal.
pub struct CommissionHandler(pub Arc<MarketContext>);

#[async_trait::async_trait]
impl Handler for CommissionHandler {
    fn name(&self) -> &'static str {
        "market_commissions"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::ORDER_PAID, types::ORDER_REFUNDED]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let o: OrderRef =
            serde_json::from_value(event.payload.clone()).map_err(|e| HandlerError::Permanent(e.to_string()))?;
        if event.event_type == types::ORDER_REFUNDED {
            reverse(tx, o.order_id).await?;
        } else {
            self.record(tx, o.order_id).await?;
        }
        Ok(())
    }
}

impl CommissionHandler {
    async fn record(&self, tx: &mut PgConnection, order_id: Uuid) -> Result<(), DomainError> {
        let cfg = self.0.config.affiliate_on(tx).await?;
        if !cfg.enabled {
            return Ok(());
        }
        let Some(order) = commissions::eligible_order(tx, order_id).await? else { return Ok(()) };
        if ensure_link(tx, order.user_id, cfg.signup_velocity_alert_per_hour).await?.is_none() {
            return Ok(());
        }
        // Locked: two paid orders of one referee are counted against the limit one at a time.
        let Some(referrer) = referrals::lock(tx, order.user_id).await? else { return Ok(()) };
        let policy = policy_of(tx, &cfg, referrer).await?;
        if !policy.enabled
            || !within_trigger_limit(commissions::earned(tx, order.user_id, referrer).await?, policy.trigger_limit)
        {
            return Ok(());
        }
        let Some(amount) = commission(order.total, policy.reward_rate) else { return Ok(()) };
        let now = Utc::now();
        let hold = TimeDelta::seconds(i64::try_from(cfg.commission_hold_period.0).unwrap_or(i64::MAX / 2_000_000));
        let m = Commission {
            id: Uuid::now_v7(),
            beneficiary_id: referrer,
            referee_id: order.user_id,
            order_id,
            order_amount: order.total,
            rate: policy.reward_rate,
            amount,
            currency: order.currency,
            status: CommissionStatus::Pending,
            available_at: order.paid_at.max(now) + hold,
            created_at: now,
            reversed_at: None,
        };
        if commissions::insert(tx, &m).await? {
            accounts::lock(tx, referrer).await?;
            accounts::apply(tx, referrer, Balance { pending: amount, ..Balance::default() }).await?;
            tracing::info!(commission_id = %m.id, %order_id, amount, "commission recorded");
        }
        Ok(())
    }
}

/// Reverses every live commission of a refunded order: from the pending or available balance,
/// then from the wallet (never below zero), the rest owed against later commissions.
async fn reverse(tx: &mut PgConnection, order_id: Uuid) -> Result<(), DomainError> {
    for m in commissions::lock_for_order(tx, order_id).await? {
        let balance = accounts::lock(tx, m.beneficiary_id).await?;
        let wallet = crate::wallet::store::wallets::lock(tx, m.beneficiary_id).await?;
        let r = reversal(m.status == CommissionStatus::Pending, m.amount, &balance, wallet.map_or(0, |w| w.available));
        accounts::apply(
            tx,
            m.beneficiary_id,
            Balance { pending: -r.from_pending, available: -r.from_available, withdrawn: 0, owed: r.owed },
        )
        .await?;
        if r.from_wallet > 0 {
            post(
                tx,
                &Posting {
                    user_id: m.beneficiary_id,
                    kind: PostingKind::CommissionReversal,
                    lines: &lines(PostingKind::CommissionReversal, r.from_wallet),
                    reason: Some("referral commission reversed: the order was refunded"),
                    order_id: Some(order_id),
                    actor: "system",
                    request_key: None,
                    currency: &m.currency,
                },
            )
            .await?;
        }
        commissions::mark_reversed(tx, m.id).await?;
        tracing::info!(commission_id = %m.id, %order_id, from_wallet = r.from_wallet, owed = r.owed, "commission reversed");
    }
    Ok(())
}

/// Moves commissions past their holding period from pending to available (paying down what a
/// beneficiary owes first).
pub struct ReleaseCommissions(pub Arc<MarketContext>);

impl ReleaseCommissions {
    async fn batch(&self) -> Result<u64, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let due = commissions::lock_due(tx, Utc::now(), BATCH).await?;
            for (id, beneficiary, amount) in &due {
                let balance = accounts::lock(tx, *beneficiary).await?;
                let (repaid, rest) = release(&balance, *amount);
                accounts::apply(
                    tx,
                    *beneficiary,
                    Balance { pending: -amount, available: rest, withdrawn: 0, owed: -repaid },
                )
                .await?;
                commissions::mark_available(tx, *id).await?;
            }
            Ok(due.len() as u64)
        })
    }
}

#[async_trait::async_trait]
impl Job for ReleaseCommissions {
    fn name(&self) -> &'static str {
        "release_commissions"
    }

    async fn run(&self, _ctx: &JobContext) -> anyhow::Result<u64> {
        let mut total = 0;
        for _ in 0..MAX_BATCHES {
            let n = self.batch().await?;
            total += n;
            if n < BATCH as u64 {
                break;
            }
        }
        Ok(total)
    }
}
