//! Staff: a customer's affiliate policy (overrides of the config defaults).

use std::sync::Arc;

use helium_domain::DomainError;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::market::model::{AffiliatePolicy, PolicyOverride};
use helium_domain::market::rules::effective;
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::MarketContext;
use super::store::referrals;
use crate::audit;

#[derive(Clone)]
pub struct Affiliates(pub(crate) Arc<MarketContext>);

fn policy_json(p: &PolicyOverride) -> Value {
    json!({
        "enabled": p.enabled,
        "reward_rate": p.reward_rate.map(|r| r.to_string()),
        "trigger_limit": p.trigger_limit,
        "max_invite_codes": p.max_invite_codes,
    })
}

async fn read(
    c: &mut PgConnection,
    cfg: &helium_domain::config::AffiliateConfig,
    user_id: Uuid,
) -> Result<AffiliatePolicy, DomainError> {
    if crate::auth::store::users::by_id(c, user_id).await?.is_none() {
        return Err(DomainError::not_found("no such customer"));
    }
    let stored = referrals::policy(c, user_id).await?;
    let overrides = stored.clone().unwrap_or(PolicyOverride { enabled: true, ..PolicyOverride::default() });
    Ok(AffiliatePolicy {
        user_id,
        effective: effective(cfg, stored.as_ref()),
        overrides,
        referrer_id: referrals::referrer_of(c, user_id).await?,
    })
}

impl Affiliates {
    pub async fn get(&self, user_id: Uuid) -> Result<AffiliatePolicy, DomainError> {
        let cfg = self.0.affiliate_config().await?;
        let mut c = self.0.db.conn().await?;
        read(&mut c, &cfg, user_id).await
    }

    /// Replaces the customer's overrides, audited with before and after.
    pub async fn put(&self, actor: &Actor, user_id: Uuid, p: &PolicyOverride) -> Result<AffiliatePolicy, DomainError> {
        let cfg = self.0.affiliate_config().await?;
        crate::transaction!(self.0.db, |tx| {
            let before = read(tx, &cfg, user_id).await?;
            referrals::put_policy(tx, user_id, p).await?;
            let change = Change::new(AuditAction::AffiliatePolicyUpdate, "customer", user_id)
                .before(policy_json(&before.overrides))
                .after(policy_json(p));
            audit::append(tx, &self.0.keys, actor, change).await?;
            read(tx, &cfg, user_id).await
        })
    }
}
