//! What every staff-identity service shares.

use helium_domain::DomainError;
use helium_domain::config::AdminJwtConfig;

use crate::db::Db;
use crate::identity::keyring::DataKey;
use crate::{ConfigStore, RedisHandle};

#[derive(Clone)]
pub struct AdminContext {
    pub db: Db,
    pub config: ConfigStore,
    pub redis: RedisHandle,
    /// Base URL of the admin console; setup and invitation links point there.
    pub admin_url: String,
    /// Seals staff TOTP seeds and e-mailed secrets; keys the audit chain.
    pub keys: DataKey,
}

impl AdminContext {
    /// The `admin-jwt` module config (read before taking a connection).
    pub async fn jwt_config(&self) -> Result<AdminJwtConfig, DomainError> {
        self.config.admin_jwt().await
    }

    /// `<admin_url>/<path>?token=<token>`.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!("{}/{path}?token={token}", self.admin_url.trim_end_matches('/'))
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

pub(crate) fn unauthenticated() -> DomainError {
    DomainError::rejected(helium_domain::ErrorCode::Unauthenticated, "sign in as staff to use this operation")
}

pub(crate) fn not_found() -> DomainError {
    DomainError::not_found("no such admin")
}

/// Fields an audit row may show of an admin (never hashes).
pub(crate) fn admin_snapshot(a: &helium_domain::admin::Admin) -> serde_json::Value {
    serde_json::json!({
        "name": a.name, "email": a.email, "role": a.role.as_str(), "status": a.status.as_str(), "avatar_url": a.avatar_url,
    })
}
