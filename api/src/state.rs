//! Shared handles every handler and worker receives.

use std::sync::Arc;

use helium_infra::auth::service::AuthService;
use helium_infra::{ConfigStore, MqHandle, RedisHandle};

use crate::http::rate_limit::RateLimits;
use sqlx::PgPool;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub redis: RedisHandle,
    pub mq: MqHandle,
    pub config: ConfigStore,
    pub rate_limits: Arc<RateLimits>,
    pub auth: AuthService,
    pub staff: helium_infra::staff::service::StaffService,
    /// Set once start-up (migrations, config) finished; /readyz reports not ready before.
    pub started: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(pool: PgPool, redis: RedisHandle, mq: MqHandle) -> Self {
        let config = ConfigStore::new(pool.clone(), redis.clone());
        let auth = AuthService {
            pool: pool.clone(),
            config: config.clone(),
            redis: redis.clone(),
            public_url: "http://localhost:8080".to_owned(),
            data_key: Arc::new(tokio::sync::OnceCell::new()),
            oauth: helium_infra::auth::oauth_client::OauthClient::new(),
        };
        let staff = helium_infra::staff::service::StaffService {
            pool: pool.clone(),
            config: config.clone(),
            admin_url: "http://localhost:8080/admin".to_owned(),
            data_key: auth.data_key.clone(),
            redis: redis.clone(),
        };
        Self {
            staff,
            pool,
            redis,
            mq,
            config,
            rate_limits: Arc::new(RateLimits::default()),
            auth,
            started: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        }
    }

    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Arc::new(limits);
        self
    }
}

impl AppState {
    /// Base URL of the customer web app, used in e-mailed links.
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.staff.admin_url = format!("{}/admin", url.trim_end_matches('/'));
        self.auth.public_url = url;
        self
    }
}

impl AppState {
    /// The data-encryption key from DATA_ENCRYPTION_KEY (else one is generated into the keyring).
    pub fn with_data_key(mut self, key: Option<[u8; 32]>) -> Self {
        if let Some(key) = key {
            self.auth.data_key = Arc::new(tokio::sync::OnceCell::new_with(Some(key)));
        }
        self
    }
}
