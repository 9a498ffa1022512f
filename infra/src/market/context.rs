//! What every market service shares.

use helium_domain::DomainError;
use helium_domain::config::AffiliateConfig;
use helium_domain::market::model::EffectivePolicy;
use helium_domain::market::rules::effective;
use sqlx::PgConnection;
use uuid::Uuid;

use super::store::referrals;
use crate::ConfigStore;
use crate::db::Db;
use crate::identity::keyring::DataKey;

#[derive(Clone)]
pub struct MarketContext {
    pub db: Db,
    pub config: ConfigStore,
    /// Keys the audit chain.
    pub keys: DataKey,
}

impl MarketContext {
    /// The `affiliate` module config, read before taking a connection.
    pub async fn affiliate_config(&self) -> Result<AffiliateConfig, DomainError> {
        self.config.affiliate().await
    }
}

/// The policy that applies to `user_id` now.
pub async fn policy_of(
    c: &mut PgConnection,
    cfg: &AffiliateConfig,
    user_id: Uuid,
) -> Result<EffectivePolicy, DomainError> {
    let o = referrals::policy(c, user_id).await?;
    Ok(effective(cfg, o.as_ref()))
}
