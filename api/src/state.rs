//! Shared handles every handler and worker receives.

use std::sync::Arc;

use helium_infra::auth::service::AuthService;
use helium_infra::{ConfigStore, MqHandle, RedisHandle};

use crate::http::rate_limit::RateLimits;
use sqlx::PgPool;

/// Cheap to clone (one reference count): every middleware layer and handler takes a copy.
#[derive(Clone)]
pub struct AppState(Arc<Handles>);

#[derive(Clone)]
pub struct Handles {
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
        Self(Arc::new(Handles {
            staff,
            pool,
            redis,
            mq,
            config,
            rate_limits: Arc::new(RateLimits::default()),
            auth,
            started: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        }))
    }

    /// Changes a handle while the state is being assembled (before it is shared).
    fn edit(mut self, f: impl FnOnce(&mut Handles)) -> Self {
        f(Arc::make_mut(&mut self.0));
        self
    }

    pub fn with_rate_limits(self, limits: RateLimits) -> Self {
        self.edit(|h| h.rate_limits = Arc::new(limits))
    }
}

impl std::ops::Deref for AppState {
    type Target = Handles;

    fn deref(&self) -> &Handles {
        &self.0
    }
}

impl AppState {
    /// Base URL of the customer web app, used in e-mailed links.
    pub fn with_public_url(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.edit(|h| {
            h.staff.admin_url = format!("{}/admin", url.trim_end_matches('/'));
            h.auth.public_url = url;
        })
    }
}

impl AppState {
    /// The data-encryption key from DATA_ENCRYPTION_KEY (else one is generated into the keyring).
    pub fn with_data_key(self, key: Option<[u8; 32]>) -> Self {
        let Some(key) = key else { return self };
        self.edit(|h| {
            // Customers and staff seal TOTP seeds with the same key.
            let cell = Arc::new(tokio::sync::OnceCell::new_with(Some(key)));
            h.staff.data_key = cell.clone();
            h.auth.data_key = cell;
        })
    }
}
