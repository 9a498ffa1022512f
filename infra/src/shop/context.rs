//! What every shop service shares.

use helium_domain::DomainError;
use helium_domain::config::ShopConfig;

use crate::db::Db;
use crate::identity::keyring::DataKey;
use crate::{ConfigStore, RedisHandle};

#[derive(Clone)]
pub struct ShopContext {
    pub db: Db,
    pub config: ConfigStore,
    pub redis: RedisHandle,
    /// Seals merchant keys; keys the audit chain.
    pub keys: DataKey,
    /// Base URL of the customer web app (order links in e-mails).
    pub public_url: String,
}

impl ShopContext {
    pub async fn shop_config(&self) -> Result<ShopConfig, DomainError> {
        crate::wallet::context::shop_config(&self.config).await
    }
}

pub(crate) fn not_found(what: &str) -> DomainError {
    DomainError::not_found(format!("no such {what}"))
}
