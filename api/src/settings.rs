//! Process settings from the environment (12-factor). A missing or malformed variable is a
//! `SettingsError` naming it; `main` prints it on one line and exits with code 2.

use std::net::SocketAddr;
use std::str::FromStr;

use helium_infra::DbSettings;

use crate::http::rate_limit::RateLimits;
use crate::mode::WorkMode;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is invalid ({value:?}): {reason}")]
    Invalid { name: String, value: String, reason: String },
    #[error("unknown work mode {0:?}; valid modes: {valid}", valid = WorkMode::valid_list())]
    UnknownMode(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: WorkMode,
    pub db: DbSettings,
    /// Direct connection for the cron leader lock (must bypass a transaction-mode pooler).
    pub cron_database_url: Option<String>,
    pub redis_url: String,
    pub redis_key_prefix: String,
    pub mq_url: String,
    pub listen_addr: Option<SocketAddr>,
    pub grpc_listen_addr: SocketAddr,
    /// Serve gRPC server reflection (GRPC_REFLECTION=true; off by default).
    pub grpc_reflection: bool,
    pub health_check_port: u16,
    /// The internal health/metrics listener (HEALTH_LISTEN_ADDR, default 0.0.0.0:HEALTH_CHECK_PORT).
    pub health_listen_addr: SocketAddr,
    /// Where start-up migrations run: MIGRATION_DATABASE_URL, else CRON_DATABASE_URL (both reach
    /// PostgreSQL directly), else DATABASE_URL. sqlx's migrator holds a session advisory lock.
    pub migration_db: DbSettings,
    /// OpenTelemetry trace export (OTEL_COLLECTOR); None: logs only.
    pub otel: Option<crate::otel::OtelSettings>,
    pub scan_interval_secs: u64,
    pub log_format: LogFormat,
    pub skip_migrations: bool,
    pub rate_limits: RateLimits,
    pub events: EventSettings,
    /// Base URL of the customer web app (links in e-mails).
    pub public_url: String,
    /// Seals TOTP seeds at rest; 32 bytes, base64. Absent: generated once into the database.
    pub data_key: Option<[u8; 32]>,
    /// DATA_ENCRYPTION_KEY_PREVIOUS: the key being rotated out (it still unwraps the data key).
    pub data_key_previous: Option<[u8; 32]>,
    /// Outgoing webhooks: `HELIUM_WEBHOOKS_ALLOW_LOOPBACK` (tests only: loopback + http) and
    /// `HELIUM_WEBHOOKS_RETRY_SCHEDULE` (comma-separated seconds between tries).
    pub webhooks: helium_infra::notify::webhooks::WebhookSettings,
}

/// Outgoing-webhook knobs. `HELIUM_WEBHOOKS_ALLOW_LOOPBACK=1` exists for tests: it lets
/// endpoints use plain http and loopback addresses (never private or link-local ones).
pub fn webhook_settings(env: &Env<'_>) -> Result<helium_infra::notify::webhooks::WebhookSettings, SettingsError> {
    let mut out = helium_infra::notify::webhooks::WebhookSettings {
        allow_loopback: flag(env, "HELIUM_WEBHOOKS_ALLOW_LOOPBACK")?,
        ..Default::default()
    };
    if let Some(raw) = env.get("HELIUM_WEBHOOKS_RETRY_SCHEDULE") {
        out.retry_schedule = helium_domain::notify::webhooks::parse_schedule(&raw).ok_or_else(|| {
            invalid("HELIUM_WEBHOOKS_RETRY_SCHEDULE", &raw, "expected comma-separated seconds, e.g. 5,300,1800")
        })?;
    }
    Ok(out)
}

/// Outbox relay and consumer knobs.
#[derive(Debug, Clone)]
pub struct EventSettings {
    /// Names exchanges and queues (`<prefix>.events`, `<prefix>.<consumer>`).
    pub mq_prefix: String,
    pub relay_batch: i64,
    pub consumer: helium_infra::events::ConsumerSettings,
}

pub fn event_settings(env: &Env<'_>) -> Result<EventSettings, SettingsError> {
    let mq_prefix = env.get("MQ_PREFIX").unwrap_or_else(|| "helium".to_owned());
    if !mq_prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        return Err(invalid("MQ_PREFIX", &mq_prefix, "expected letters, digits, '-', '_' or '.'"));
    }
    let relay_batch: i64 = env.parsed("RELAY_BATCH", 500, "expected an integer 1-10000")?;
    if !(1..=10_000).contains(&relay_batch) {
        return Err(invalid("RELAY_BATCH", &relay_batch.to_string(), "expected an integer 1-10000"));
    }
    let prefetch: u16 = env.parsed("CONSUMER_PREFETCH", 16, "expected an integer 1-1000")?;
    if !(1..=1000).contains(&prefetch) {
        return Err(invalid("CONSUMER_PREFETCH", &prefetch.to_string(), "expected an integer 1-1000"));
    }
    let max_attempts: u32 = env.parsed("CONSUMER_MAX_ATTEMPTS", 5, "expected an integer 1-20")?;
    if !(1..=20).contains(&max_attempts) {
        return Err(invalid("CONSUMER_MAX_ATTEMPTS", &max_attempts.to_string(), "expected an integer 1-20"));
    }
    let retry_ms: u64 = env.parsed("CONSUMER_RETRY_BASE_MS", 1000, "expected milliseconds >= 10")?;
    if retry_ms < 10 {
        return Err(invalid("CONSUMER_RETRY_BASE_MS", &retry_ms.to_string(), "expected milliseconds >= 10"));
    }
    Ok(EventSettings {
        mq_prefix,
        relay_batch,
        consumer: helium_infra::events::ConsumerSettings {
            prefetch,
            max_attempts,
            retry_base: std::time::Duration::from_millis(retry_ms),
        },
    })
}

/// Reads variables through a lookup function so tests need not touch the process env.
pub struct Env<'a>(pub &'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    pub fn process() -> Env<'static> {
        Env(&|k| std::env::var(k).ok())
    }

    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn required(&self, name: &'static str) -> Result<String, SettingsError> {
        self.get(name).ok_or(SettingsError::Missing(name))
    }

    fn parsed<T: FromStr>(&self, name: &'static str, default: T, reason: &str) -> Result<T, SettingsError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| SettingsError::Invalid {
                name: name.to_owned(),
                value: v.clone(),
                reason: reason.to_owned(),
            }),
        }
    }
}

fn invalid(name: &'static str, value: &str, reason: impl Into<String>) -> SettingsError {
    SettingsError::Invalid { name: name.to_owned(), value: value.to_owned(), reason: reason.into() }
}

/// Never echo a connection string's password back in an error message.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

pub fn parse_mode(raw: Option<&str>) -> Result<WorkMode, SettingsError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(WorkMode::All),
        Some(s) => WorkMode::parse(s).ok_or_else(|| SettingsError::UnknownMode(s.to_owned())),
    }
}

/// A 32-byte key as DATA_ENCRYPTION_KEY gives it.
pub type DataKeyBytes = [u8; 32];

/// DATA_ENCRYPTION_KEY and, during a rotation, DATA_ENCRYPTION_KEY_PREVIOUS (32 bytes each,
/// base64); the previous key needs a current one and must differ from it.
pub fn data_keys(env: &Env<'_>) -> Result<(Option<DataKeyBytes>, Option<DataKeyBytes>), SettingsError> {
    let key = |name: &'static str| -> Result<Option<DataKeyBytes>, SettingsError> {
        env.get(name)
            .map(|raw| {
                parse_data_key(&raw).ok_or_else(|| invalid(name, "(hidden)", "expected 32 bytes, base64-encoded"))
            })
            .transpose()
    };
    let (current, previous) = (key("DATA_ENCRYPTION_KEY")?, key("DATA_ENCRYPTION_KEY_PREVIOUS")?);
    match (current, previous) {
        (None, Some(_)) => {
            Err(invalid("DATA_ENCRYPTION_KEY_PREVIOUS", "(hidden)", "needs DATA_ENCRYPTION_KEY (the new key) as well"))
        }
        (Some(c), Some(p)) if c == p => {
            Err(invalid("DATA_ENCRYPTION_KEY_PREVIOUS", "(hidden)", "must differ from DATA_ENCRYPTION_KEY"))
        }
        keys => Ok(keys),
    }
}

pub fn database_settings(env: &Env<'_>) -> Result<DbSettings, SettingsError> {
    let url = env.required("DATABASE_URL")?;
    let db = DbSettings {
        url: url.clone(),
        read_url: env.get("DATABASE_READ_URL").filter(|u| !u.trim().is_empty()),
        max_connections: env.parsed("DATABASE_MAX_CONNECTIONS", 10u32, "expected an integer >= 1")?,
        statement_cache: env.parsed("DATABASE_STATEMENT_CACHE", 100usize, "expected an integer >= 0")?,
    };
    if db.max_connections == 0 {
        return Err(invalid("DATABASE_MAX_CONNECTIONS", "0", "expected an integer >= 1"));
    }
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(invalid("DATABASE_URL", &redact_url(&url), "expected postgres://user:password@host:port/db"));
    }
    db.connect_options().map_err(|e| invalid("DATABASE_URL", &redact_url(&url), e.to_string()))?;
    if let Some(read) = &db.read_url {
        let probe = DbSettings { url: read.clone(), ..db.clone() };
        probe.connect_options().map_err(|e| invalid("DATABASE_READ_URL", &redact_url(read), e.to_string()))?;
    }
    Ok(db)
}

/// The connection migrations use: MIGRATION_DATABASE_URL, else CRON_DATABASE_URL, else
/// DATABASE_URL; one connection, with the statement cache of DATABASE_STATEMENT_CACHE.
/// A transaction-mode pooler would strand sqlx's session advisory lock on a pooled server
/// connection, so deployments behind PgBouncer/HeliosProxy point one of the first two at
/// PostgreSQL itself.
pub fn migration_database_settings(env: &Env<'_>, db: &DbSettings) -> Result<DbSettings, SettingsError> {
    for name in ["MIGRATION_DATABASE_URL", "CRON_DATABASE_URL"] {
        if let Some(url) = env.get(name) {
            let direct = DbSettings { url: url.clone(), read_url: None, max_connections: 1, ..db.clone() };
            direct.connect_options().map_err(|e| invalid(name, &redact_url(&url), e.to_string()))?;
            return Ok(direct);
        }
    }
    Ok(DbSettings { read_url: None, max_connections: 1, ..db.clone() })
}

impl Settings {
    pub fn from_env(env: &Env<'_>, mode_flag: Option<&str>, skip_migration_flag: bool) -> Result<Self, SettingsError> {
        let mode = parse_mode(mode_flag.map(str::to_owned).or_else(|| env.get("WORK_MODE")).as_deref())?;
        let db = database_settings(env)?;

        let redis_url = env.required("REDIS_URL")?;
        if !(redis_url.starts_with("redis://")
            || redis_url.starts_with("rediss://")
            || redis_url.starts_with("unix://"))
        {
            return Err(invalid("REDIS_URL", &redact_url(&redis_url), "expected redis://host:port"));
        }
        redis::Client::open(redis_url.as_str())
            .map_err(|e| invalid("REDIS_URL", &redact_url(&redis_url), e.to_string()))?;

        let mq_url = env.required("MQ_URL")?;
        lapin::uri::AMQPUri::from_str(&mq_url).map_err(|e| {
            invalid("MQ_URL", &redact_url(&mq_url), format!("expected amqp://user:password@host:port/vhost ({e})"))
        })?;

        let listen_addr = match env.get("LISTEN_ADDR") {
            Some(v) => Some(
                v.trim().parse().map_err(|_| invalid("LISTEN_ADDR", &v, "expected host:port, e.g. 0.0.0.0:8080"))?,
            ),
            None => mode.default_listen_addr(),
        };
        let grpc_default = SocketAddr::from(([0, 0, 0, 0], 50051));
        let grpc_listen_addr = match (mode, env.get("GRPC_LISTEN_ADDR")) {
            (_, Some(v)) => v.trim().parse().map_err(|_| invalid("GRPC_LISTEN_ADDR", &v, "expected host:port"))?,
            (WorkMode::Grpc, None) => listen_addr.unwrap_or(grpc_default),
            (_, None) => grpc_default,
        };
        let health_check_port: u16 = env.parsed("HEALTH_CHECK_PORT", 9090, "expected a TCP port 1-65535")?;
        if health_check_port == 0 {
            return Err(invalid("HEALTH_CHECK_PORT", "0", "expected a TCP port 1-65535"));
        }
        let health_listen_addr = match env.get("HEALTH_LISTEN_ADDR") {
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| invalid("HEALTH_LISTEN_ADDR", &v, "expected host:port, e.g. 127.0.0.1:9090"))?,
            None => SocketAddr::from(([0, 0, 0, 0], health_check_port)),
        };
        let scan_interval_secs: u64 = env.parsed("SCAN_INTERVAL", 60, "expected whole seconds >= 1")?;
        if scan_interval_secs == 0 {
            return Err(invalid("SCAN_INTERVAL", "0", "expected whole seconds >= 1"));
        }
        let log_format = match env.get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(invalid("LOG_FORMAT", other, "expected text or json")),
        };
        let skip_migrations = skip_migration_flag || flag(env, "SKIP_MIGRATIONS")?;
        // Reflection describes every RPC to anyone who connects: opt-in (grpcurl in development).
        let grpc_reflection = flag(env, "GRPC_REFLECTION")?;
        let cron_database_url = env.get("CRON_DATABASE_URL");
        if let Some(u) = &cron_database_url {
            let probe = DbSettings { url: u.clone(), ..db.clone() };
            probe.connect_options().map_err(|e| invalid("CRON_DATABASE_URL", &redact_url(u), e.to_string()))?;
        }
        let migration_db = migration_database_settings(env, &db)?;
        let otel = crate::otel::OtelSettings::from_env(&|k| env.get(k))
            .map_err(|(name, value, reason)| SettingsError::Invalid { name: name.to_owned(), value, reason })?;
        let rate_limits = RateLimits::from_lookup(&|k| env.get(k)).map_err(|(name, value)| SettingsError::Invalid {
            name,
            value,
            reason: "expected <requests>/<seconds> (or a comma-separated IP list for TRUSTED_PROXIES)".to_owned(),
        })?;
        let events = event_settings(env)?;
        let public_url = env.get("PUBLIC_URL").unwrap_or_else(|| "http://localhost:8080".to_owned());
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(invalid("PUBLIC_URL", &public_url, "expected an absolute http(s) URL"));
        }
        let (data_key, data_key_previous) = data_keys(env)?;
        let webhooks = webhook_settings(env)?;
        Ok(Settings {
            webhooks,
            data_key,
            data_key_previous,
            public_url,
            events,
            rate_limits,
            mode,
            db,
            cron_database_url,
            redis_url,
            redis_key_prefix: env.get("REDIS_KEY_PREFIX").unwrap_or_else(|| "helium:".to_owned()),
            mq_url,
            listen_addr,
            grpc_listen_addr,
            grpc_reflection,
            health_check_port,
            health_listen_addr,
            migration_db,
            otel,
            scan_interval_secs,
            log_format,
            skip_migrations,
        })
    }
}

/// A true/false variable (also 1/0); absent is false.
fn flag(env: &Env<'_>, name: &'static str) -> Result<bool, SettingsError> {
    match env.get(name).as_deref().map(str::trim) {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(invalid(name, other, "expected true or false")),
    }
}

/// `DATA_ENCRYPTION_KEY`: 32 bytes, standard or URL-safe base64 (server and CLI alike, so both
/// seal and chain with the same key).
pub fn parse_data_key(raw: &str) -> Option<[u8; 32]> {
    use base64::Engine;
    let raw = raw.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw))
        .ok()?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map = env_of(pairs);
        let f = move |k: &str| map.get(k).cloned();
        Settings::from_env(&Env(&f), None, false)
    }

    const BASE: [(&str, &str); 3] = [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helium"),
        ("REDIS_URL", "redis://127.0.0.1:6379"),
        ("MQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
    ];

    #[test]
    fn defaults_apply() {
        let s = load(&BASE).unwrap();
        assert_eq!(s.mode, WorkMode::All);
        assert_eq!(s.health_check_port, 9090);
        assert_eq!(s.scan_interval_secs, 60);
        assert_eq!(s.db.max_connections, 10);
        assert_eq!(s.db.statement_cache, 100);
        assert_eq!(s.listen_addr.map(|a| a.port()), Some(8080));
        assert_eq!(s.grpc_listen_addr.port(), 50051);
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn each_required_variable_is_named_when_missing() {
        for name in ["DATABASE_URL", "REDIS_URL", "MQ_URL"] {
            let pairs: Vec<_> = BASE.iter().copied().filter(|(k, _)| *k != name).collect();
            assert_eq!(load(&pairs).unwrap_err(), SettingsError::Missing(name));
        }
    }

    #[test]
    fn malformed_values_are_named() {
        let cases = [
            ("HEALTH_CHECK_PORT", "abc"),
            ("HEALTH_CHECK_PORT", "0"),
            ("HEALTH_CHECK_PORT", "70000"),
            ("SCAN_INTERVAL", "-1"),
            ("SCAN_INTERVAL", "0"),
            ("LISTEN_ADDR", "localhost"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("DATABASE_STATEMENT_CACHE", "x"),
            ("LOG_FORMAT", "xml"),
            ("DATABASE_URL", "mysql://x"),
            ("REDIS_URL", "http://x"),
            ("MQ_URL", "http://x"),
        ];
        for (name, value) in cases {
            let mut pairs: Vec<_> = BASE.iter().copied().filter(|(k, _)| *k != name).collect();
            pairs.push((name, value));
            match load(&pairs) {
                Err(SettingsError::Invalid { name: n, .. }) => {
                    assert_eq!(n, name, "{name}={value}")
                }
                other => panic!("{name}={value}: {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_are_not_echoed() {
        let mut pairs: Vec<_> = BASE.iter().copied().filter(|(k, _)| *k != "MQ_URL").collect();
        pairs.push(("MQ_URL", "ftp://user:s3cret@host/"));
        let msg = load(&pairs).unwrap_err().to_string();
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    #[test]
    fn mode_selects_listener_and_unknown_mode_lists_valid_ones() {
        let mut pairs = BASE.to_vec();
        pairs.push(("WORK_MODE", "webhook_api"));
        assert_eq!(load(&pairs).unwrap().listen_addr.map(|a| a.port()), Some(8081));
        let err = parse_mode(Some("nope")).unwrap_err().to_string();
        assert!(err.contains("api, grpc, subscribe_api, webhook_api, consumer, mailer, cron_executor, all"), "{err}");
    }

    #[test]
    fn health_listener_defaults_to_every_interface_and_can_be_narrowed() {
        assert_eq!(load(&BASE).unwrap().health_listen_addr.to_string(), "0.0.0.0:9090");
        let mut pairs = BASE.to_vec();
        pairs.push(("HEALTH_CHECK_PORT", "9191"));
        assert_eq!(load(&pairs).unwrap().health_listen_addr.to_string(), "0.0.0.0:9191");
        pairs.push(("HEALTH_LISTEN_ADDR", "127.0.0.1:9292"));
        assert_eq!(load(&pairs).unwrap().health_listen_addr.to_string(), "127.0.0.1:9292");
        let mut bad = BASE.to_vec();
        bad.push(("HEALTH_LISTEN_ADDR", "localhost"));
        assert!(matches!(load(&bad), Err(SettingsError::Invalid { name, .. }) if name == "HEALTH_LISTEN_ADDR"));
    }

    #[test]
    fn migrations_prefer_a_direct_url() {
        let s = load(&BASE).unwrap();
        assert_eq!((s.migration_db.url.as_str(), s.migration_db.max_connections), (BASE[0].1, 1));
        let mut pairs = BASE.to_vec();
        pairs.push(("DATABASE_STATEMENT_CACHE", "0"));
        pairs.push(("CRON_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/direct"));
        let s = load(&pairs).unwrap();
        assert_eq!((s.migration_db.url.as_str(), s.migration_db.statement_cache), (pairs[4].1, 0));
        pairs.push(("MIGRATION_DATABASE_URL", "postgres://owner@127.0.0.1:5432/direct"));
        assert_eq!(load(&pairs).unwrap().migration_db.url, "postgres://owner@127.0.0.1:5432/direct");
    }

    #[test]
    fn a_previous_data_key_needs_a_different_current_one() {
        let (a, b) = ("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=");
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut all = BASE.to_vec();
            all.extend_from_slice(pairs);
            load(&all)
        };
        let s = with(&[("DATA_ENCRYPTION_KEY", b), ("DATA_ENCRYPTION_KEY_PREVIOUS", a)]).unwrap();
        assert_eq!((s.data_key, s.data_key_previous), (Some([2; 32]), Some([1; 32])));
        for bad in [
            &[("DATA_ENCRYPTION_KEY_PREVIOUS", a)][..],
            &[("DATA_ENCRYPTION_KEY", a), ("DATA_ENCRYPTION_KEY_PREVIOUS", a)],
        ] {
            assert!(
                matches!(with(bad), Err(SettingsError::Invalid { name, .. }) if name == "DATA_ENCRYPTION_KEY_PREVIOUS")
            );
        }
        let short = with(&[("DATA_ENCRYPTION_KEY", b), ("DATA_ENCRYPTION_KEY_PREVIOUS", "AQE=")]);
        assert!(matches!(short, Err(SettingsError::Invalid { name, .. }) if name == "DATA_ENCRYPTION_KEY_PREVIOUS"));
    }

    #[test]
    fn a_read_replica_is_optional_and_checked() {
        let s = load(&BASE).unwrap();
        assert_eq!(s.db.read_url, None);
        assert_eq!(s.migration_db.read_url, None);
        let mut pairs = BASE.to_vec();
        pairs.push(("DATABASE_READ_URL", "postgres://reader@127.0.0.1:5433/helium"));
        let s = load(&pairs).unwrap();
        assert_eq!(s.db.read_url.as_deref(), Some("postgres://reader@127.0.0.1:5433/helium"));
        assert_eq!(s.migration_db.read_url, None, "migrations never go to a replica");
        let mut bad = BASE.to_vec();
        bad.push(("DATABASE_READ_URL", "postgres://x:y@host:notaport/db"));
        assert!(matches!(load(&bad), Err(SettingsError::Invalid { name, .. }) if name == "DATABASE_READ_URL"));
    }

    #[test]
    fn statement_cache_zero_is_allowed() {
        let mut pairs = BASE.to_vec();
        pairs.push(("DATABASE_STATEMENT_CACHE", "0"));
        assert_eq!(load(&pairs).unwrap().db.statement_cache, 0);
    }
}
