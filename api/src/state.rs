//! Shared handles every handler and worker receives.

use std::sync::Arc;

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
}

impl AppState {
    pub fn new(pool: PgPool, redis: RedisHandle, mq: MqHandle) -> Self {
        let config = ConfigStore::new(pool.clone(), redis.clone());
        Self { pool, redis, mq, config, rate_limits: Arc::new(RateLimits::default()) }
    }

    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = Arc::new(limits);
        self
    }
}
