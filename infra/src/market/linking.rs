//! Referral links: a customer who registered with a live invite code is linked to its owner,
//! once and forever. Made on `user.registered`, and again (idempotently) before a commission,
//! so a delayed sign-up event never loses one.

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use helium_domain::DomainError;
use helium_domain::events::{Event, types};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::MarketContext;
use super::store::{codes, referrals};
use crate::events::consumer::{Handler, HandlerError};

/// Links `referee` to the owner of the code they registered with, when there is one and it
/// may refer them; returns the referrer. A code created after the referee registered cannot
/// refer them (that ordering also makes cycles impossible), nor can a customer's own code.
pub async fn ensure_link(
    c: &mut PgConnection,
    referee: Uuid,
    velocity_alert: u32,
) -> Result<Option<Uuid>, DomainError> {
    if let Some(referrer) = referrals::referrer_of(c, referee).await? {
        return Ok(Some(referrer));
    }
    let Some((registered_at, Some(code))) = referrals::registration(c, referee).await? else { return Ok(None) };
    let Some(owner) = codes::owner(c, &code).await? else { return Ok(None) };
    if owner.user_id == referee || owner.created_at >= registered_at {
        return Ok(None);
    }
    if referrals::link(c, referee, owner.user_id, owner.id).await? {
        let recent = referrals::signups_since(c, owner.id, Utc::now() - TimeDelta::hours(1)).await?;
        if recent > i64::from(velocity_alert) {
            // SECURITY check 20: scripted sign-ups on one code are farming until shown otherwise.
            metrics::counter!("helium_referral_velocity_alerts_total").increment(1);
            tracing::warn!(code_id = %owner.id, referrer = %owner.user_id, signups_last_hour = recent, "referral velocity alert");
        }
        return Ok(Some(owner.user_id));
    }
    referrals::referrer_of(c, referee).await.map_err(Into::into)
}

#[derive(Deserialize)]
struct Registered {
    user_id: Uuid,
}

/// `user.registered` → the referral link.
pub struct ReferralLinker(pub Arc<MarketContext>);

#[async_trait::async_trait]
impl Handler for ReferralLinker {
    fn name(&self) -> &'static str {
        "market_referrals"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::USER_REGISTERED]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let r: Registered =
            serde_json::from_value(event.payload.clone()).map_err(|e| HandlerError::Permanent(e.to_string()))?;
        let cfg = self.0.config.affiliate_on(tx).await?;
        ensure_link(tx, r.user_id, cfg.signup_velocity_alert_per_hour).await?;
        Ok(())
    }
}
