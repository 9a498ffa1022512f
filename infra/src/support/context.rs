//! What every support service shares.

use crate::db::Db;
use crate::identity::keyring::DataKey;

#[derive(Clone)]
pub struct SupportContext {
    pub db: Db,
    /// Seals e-mailed excerpts; keys the audit chain.
    pub keys: DataKey,
    /// Base of the customer web app: ticket links in e-mails are `<public_url>/tickets/<id>`.
    pub public_url: String,
}

impl SupportContext {
    pub fn ticket_url(&self, id: uuid::Uuid) -> String {
        format!("{}/tickets/{id}", self.public_url.trim_end_matches('/'))
    }
}
