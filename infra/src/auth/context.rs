//! What every customer-identity service shares: the database, config, Redis, the data key,
//! the outbound OAuth client and the base URL e-mailed links point to.

use std::sync::Arc;

use helium_domain::DomainError;
use helium_domain::config::{AuthConfig, ConfigKind, ModuleConfig};

use super::oauth_client::OauthClient;
use crate::db::Db;
use crate::identity::keyring::DataKey;
use crate::{ConfigStore, RedisHandle};

#[derive(Clone)]
pub struct AuthContext {
    pub db: Db,
    pub config: ConfigStore,
    pub redis: RedisHandle,
    /// Base URL of the customer web app; links in e-mails point there.
    pub public_url: String,
    /// Seals TOTP seeds and e-mailed secrets.
    pub keys: DataKey,
    /// Outbound OAuth / OIDC calls (discovery and key sets cached).
    pub oauth: OauthClient,
}

/// The `auth` module config as the config store shares it (not copied: it is read on every
/// request's path).
#[derive(Debug, Clone)]
pub struct SharedAuthConfig(Arc<ModuleConfig>);

impl std::ops::Deref for SharedAuthConfig {
    type Target = AuthConfig;

    fn deref(&self) -> &AuthConfig {
        match &*self.0 {
            ModuleConfig::Auth(a) => a,
            // `AuthContext::auth_config` only wraps the Auth variant.
            _ => unreachable!("SharedAuthConfig holds the auth module"),
        }
    }
}

impl AuthContext {
    /// The current `auth` module config. Read it BEFORE taking a connection: a cache miss
    /// reads PostgreSQL, and a use case never holds one connection while waiting for another.
    pub async fn auth_config(&self) -> Result<SharedAuthConfig, DomainError> {
        match self.config.module_arc(ConfigKind::Auth).await {
            Ok(module) if matches!(*module, ModuleConfig::Auth(_)) => Ok(SharedAuthConfig(module)),
            Ok(_) => Err(DomainError::Internal("auth config has the wrong shape".into())),
            Err(e) => Err(DomainError::Unavailable(format!("auth config: {e}"))),
        }
    }

    /// `<public_url>/<path>?token=<token>`.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!("{}/{path}?token={token}", self.public_url.trim_end_matches('/'))
    }

    /// `<public_url>/<path>`.
    pub fn page(&self, path: &str) -> String {
        format!("{}/{path}", self.public_url.trim_end_matches('/'))
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

pub(crate) fn redis_down(e: impl std::fmt::Display) -> DomainError {
    DomainError::Unavailable(format!("redis: {e}"))
}
