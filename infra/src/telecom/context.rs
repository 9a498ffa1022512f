//! What every telecom service shares.

use std::sync::Arc;

use helium_domain::DomainError;
use helium_domain::config::TelecomConfig;

use super::snapshots::Snapshots;
use crate::db::Db;
use crate::identity::keyring::DataKey;
use crate::{ConfigStore, RedisHandle};

#[derive(Clone)]
pub struct TelecomContext {
    pub db: Db,
    pub config: ConfigStore,
    pub redis: RedisHandle,
    /// Seals subscription tokens, keys their lookup hash, keys the audit chain.
    pub keys: DataKey,
    /// Node lists, configs and customer views, rebuilt when something relevant changes.
    pub snapshots: Arc<Snapshots>,
    /// Customer-facing links in e-mails.
    pub public_url: String,
}

impl TelecomContext {
    pub async fn telecom_config(&self) -> Result<TelecomConfig, DomainError> {
        self.config.telecom().await
    }
}

pub(crate) fn not_found(what: &str) -> DomainError {
    DomainError::not_found(format!("no such {what}"))
}
