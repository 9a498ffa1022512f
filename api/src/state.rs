//! Shared handles every handler and worker receives.

use helium_infra::{ConfigStore, MqHandle, RedisHandle};
use sqlx::PgPool;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub redis: RedisHandle,
    pub mq: MqHandle,
    pub config: ConfigStore,
}

impl AppState {
    pub fn new(pool: PgPool, redis: RedisHandle, mq: MqHandle) -> Self {
        let config = ConfigStore::new(pool.clone(), redis.clone());
        Self {
            pool,
            redis,
            mq,
            config,
        }
    }
}
