//! `helium_infra::ConfigStore` against real PostgreSQL and Redis: seeding, reads through the
//! caches, cross-process propagation, Redis outages, optimistic concurrency and validation.

use std::time::{Duration, Instant};

use helium_domain::config::{ConfigKind, ModuleConfig};
use helium_infra::config_store::{ConfigStoreError, InitOutcome};
use helium_infra::{ConfigStore, RedisHandle};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::support::{POLL, REDIS_URL, closed_port, redis_prefix};

fn store(pool: &PgPool, redis_url: &str, prefix: &str) -> ConfigStore {
    ConfigStore::new(helium_infra::db::Db::new(pool.clone()), RedisHandle::new(redis_url, prefix).unwrap())
}

async fn row(pool: &PgPool, key: &str) -> (Value, i64) {
    sqlx::query_as("SELECT value, version FROM application__config WHERE key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The auth document with `jwt.issuer` replaced (still valid).
fn with_issuer(mut value: Value, issuer: &str) -> Value {
    value["jwt"]["issuer"] = json!(issuer);
    value
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn ensure_defaults_creates_all_six_once(pool: PgPool) {
    let config = store(&pool, REDIS_URL, &redis_prefix());
    let created = config.ensure_defaults().await.unwrap();
    assert_eq!(created, ConfigKind::ALL.to_vec());
    let keys: Vec<String> = config.list().await.unwrap().into_iter().map(|c| c.key).collect();
    assert_eq!(keys, ["admin-jwt", "affiliate", "auth", "mailer", "shop", "telecom"]);
    assert_eq!(config.ensure_defaults().await.unwrap(), Vec::<ConfigKind>::new());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn get_returns_what_postgres_holds(pool: PgPool) {
    let config = store(&pool, REDIS_URL, &redis_prefix());
    config.ensure_defaults().await.unwrap();
    for kind in ConfigKind::ALL {
        let got = config.get(kind).await.unwrap();
        let (value, version) = row(&pool, kind.key()).await;
        assert_eq!(got.key, kind.key());
        assert_eq!((got.value, got.version), (value, version), "{}", kind.key());
    }
    let typed = config.module(ConfigKind::Mailer).await.unwrap();
    assert!(matches!(typed, ModuleConfig::Mailer(m) if m.port == 587));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn missing_document_is_reported_as_missing(pool: PgPool) {
    let config = store(&pool, REDIS_URL, &redis_prefix());
    let err = config.get(ConfigKind::Shop).await.unwrap_err();
    assert!(matches!(err, ConfigStoreError::Missing("shop")), "{err}");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn change_through_one_store_is_seen_by_another_within_5s(pool: PgPool) {
    let prefix = redis_prefix();
    let writer = store(&pool, REDIS_URL, &prefix);
    let reader = store(&pool, REDIS_URL, &prefix);
    writer.ensure_defaults().await.unwrap();
    // The reader has the old document cached (locally and in Redis).
    let before = reader.get(ConfigKind::Auth).await.unwrap();

    let changed = with_issuer(before.value.clone(), "https://changed.example");
    let written = writer.put(ConfigKind::Auth, &changed, Some(before.version)).await.unwrap();
    assert_eq!(written.version, before.version + 1);

    let started = Instant::now();
    loop {
        let seen = reader.get(ConfigKind::Auth).await.unwrap();
        if seen.version == written.version {
            assert_eq!(seen.value, changed);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still version {} after {:?}",
            seen.version,
            started.elapsed()
        );
        tokio::time::sleep(POLL).await;
    }
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn postgres_serves_reads_and_writes_while_redis_is_unreachable(pool: PgPool) {
    let down = format!("redis://127.0.0.1:{}", closed_port());
    let config = store(&pool, &down, &redis_prefix());
    assert_eq!(config.ensure_defaults().await.unwrap().len(), 6);

    let current = config.get(ConfigKind::Auth).await.unwrap();
    assert_eq!(current.version, 1);
    assert!(matches!(config.module(ConfigKind::Auth).await.unwrap(), ModuleConfig::Auth(_)));
    let changed = with_issuer(current.value, "https://no-redis.example");
    let written = config.put(ConfigKind::Auth, &changed, Some(1)).await.unwrap();
    assert_eq!(written.version, 2);
    assert_eq!(row(&pool, "auth").await, (changed, 2));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn put_with_stale_version_is_a_version_conflict(pool: PgPool) {
    let config = store(&pool, REDIS_URL, &redis_prefix());
    config.ensure_defaults().await.unwrap();
    let current = config.get(ConfigKind::Auth).await.unwrap();
    let first = with_issuer(current.value.clone(), "https://first.example");
    config.put(ConfigKind::Auth, &first, Some(current.version)).await.unwrap();

    let second = with_issuer(current.value, "https://second.example");
    let err = config.put(ConfigKind::Auth, &second, Some(current.version)).await.unwrap_err();
    match err {
        ConfigStoreError::VersionConflict { key, current: now } => {
            assert_eq!((key, now), ("auth", current.version + 1));
        }
        other => panic!("expected VersionConflict, got {other}"),
    }
    assert_eq!(row(&pool, "auth").await, (first, current.version + 1));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn put_with_invalid_document_is_rejected_with_the_field_path(pool: PgPool) {
    let config = store(&pool, REDIS_URL, &redis_prefix());
    config.ensure_defaults().await.unwrap();
    let current = config.get(ConfigKind::Auth).await.unwrap();
    let mut bad = current.value.clone();
    bad["jwt"]["access_token_expiration"] = json!("5m");
    let err = config.put(ConfigKind::Auth, &bad, Some(current.version)).await.unwrap_err();
    match &err {
        ConfigStoreError::Invalid { key, path, reason } => {
            assert_eq!((*key, path.as_str()), ("auth", "jwt.access_token_expiration"));
            assert!(reason.contains("5m"), "{reason}");
        }
        other => panic!("expected Invalid, got {other}"),
    }
    assert_eq!(row(&pool, "auth").await, (current.value, current.version));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn forced_init_resets_to_defaults_and_bumps_version(pool: PgPool) {
    let config = store(&pool, REDIS_URL, &redis_prefix());
    assert_eq!(config.init(ConfigKind::Auth, false).await.unwrap(), InitOutcome::Created);
    assert_eq!(config.init(ConfigKind::Auth, false).await.unwrap(), InitOutcome::Unchanged);
    let (original, _) = row(&pool, "auth").await;
    let edited = with_issuer(original.clone(), "https://edited.example");
    config.put(ConfigKind::Auth, &edited, Some(1)).await.unwrap();

    assert_eq!(config.init(ConfigKind::Auth, true).await.unwrap(), InitOutcome::Reset);
    let (reset, version) = row(&pool, "auth").await;
    assert_eq!(version, 3);
    assert_eq!(reset["jwt"]["issuer"], original["jwt"]["issuer"]);
    assert_ne!(reset["jwt"]["secret"], original["jwt"]["secret"]);
    let seen = config.get(ConfigKind::Auth).await.unwrap();
    assert_eq!((seen.value, seen.version), (reset, 3));
}

/// A consumer holds its transaction while it reads configuration: a cache miss reads on that
/// connection. With a pool of one, taking a second connection would wait out the timeout.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_miss_reads_on_the_connection_the_caller_holds(
    pool: sqlx::postgres::PgPoolOptions,
    opts: sqlx::postgres::PgConnectOptions,
) {
    let pool = pool.max_connections(1).acquire_timeout(Duration::from_secs(2)).connect_with(opts).await.unwrap();
    store(&pool, REDIS_URL, &redis_prefix()).ensure_defaults().await.unwrap();
    // A new process: cold local cache, nothing in Redis under its prefix.
    let config = store(&pool, REDIS_URL, &redis_prefix());
    let mut tx = pool.begin().await.unwrap();
    let started = Instant::now();
    let affiliate = config.affiliate_on(&mut tx).await.unwrap();
    let shop = config.shop_on(&mut tx).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1), "no wait for a second connection");
    assert!(!shop.currency.is_empty());
    let _ = affiliate.enabled;
    tx.commit().await.unwrap();
    // Without a held connection the plain read takes one from the pool, as before.
    assert!(matches!(config.module(ConfigKind::Telecom).await.unwrap(), ModuleConfig::Telecom(_)));
}
