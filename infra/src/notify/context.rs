//! What every notify service shares.

use crate::ConfigStore;
use crate::db::Db;
use crate::identity::keyring::DataKey;

#[derive(Clone)]
pub struct NotifyContext {
    pub db: Db,
    pub config: ConfigStore,
    /// Keys the audit chain and the unsubscribe tokens.
    pub keys: DataKey,
    /// Links in e-mails.
    pub public_url: String,
}

impl NotifyContext {
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.public_url.trim_end_matches('/'))
    }
}
