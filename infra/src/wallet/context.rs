//! What every wallet service shares.

use helium_domain::DomainError;
use helium_domain::config::ShopConfig;

use crate::db::Db;
use crate::identity::keyring::DataKey;
use crate::{ConfigStore, RedisHandle};

#[derive(Clone)]
pub struct WalletContext {
    pub db: Db,
    pub config: ConfigStore,
    pub redis: RedisHandle,
    /// Seals gift-card codes and keys their lookup hash; keys the audit chain.
    pub keys: DataKey,
}

/// The `shop` module config (currency, limits), read before taking a connection.
pub async fn shop_config(config: &ConfigStore) -> Result<ShopConfig, DomainError> {
    config.shop().await
}

impl WalletContext {
    pub async fn shop_config(&self) -> Result<ShopConfig, DomainError> {
        shop_config(&self.config).await
    }
}
