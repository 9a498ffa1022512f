//! What every wallet service shares.

use helium_domain::DomainError;
use helium_domain::config::{ConfigKind, ModuleConfig, ShopConfig};

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
    match config.module_arc(ConfigKind::Shop).await.as_deref() {
        Ok(ModuleConfig::Shop(c)) => Ok(c.clone()),
        Ok(_) => Err(DomainError::Internal("shop config has the wrong shape".into())),
        Err(e) => Err(DomainError::Unavailable(format!("shop config: {e}"))),
    }
}

impl WalletContext {
    pub async fn shop_config(&self) -> Result<ShopConfig, DomainError> {
        shop_config(&self.config).await
    }
}
