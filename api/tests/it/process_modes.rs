//! The real `helium` binary: every mode starts, reports health and readiness, and stops
//! cleanly on SIGTERM; readiness under failing or hanging dependencies; configuration errors;
//! concurrent migrations; the OpenAPI document; metrics, request ids and JSON logs; module
//! configs initialised at start-up.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::*;
use serde_json::{Value, json};
use sqlx::PgPool;

const EXIT_GRACE: Duration = Duration::from_secs(10);
const READY_BUDGET: Duration = Duration::from_secs(2);
const VALID_MODES: &str = "api, grpc, subscribe_api, webhook_api, consumer, mailer, cron_executor, all";

async fn get_json(url: &str) -> (u16, Value, Duration) {
    let started = Instant::now();
    let res = client().get(url).send().await.unwrap();
    let status = res.status().as_u16();
    let body = res.json::<Value>().await.unwrap();
    (status, body, started.elapsed())
}

/// Runs `mode` on a fresh database: healthy, ready, serving its listener, exit 0 on SIGTERM.
async fn mode_serves_and_stops_cleanly(pool: PgPool, mode: &str) {
    let url = database_url_for(&pool).await;
    let mut helium = HeliumCommand::server(mode, &url, &redis_prefix()).spawn();
    helium.wait_until_started().await;

    let (status, body, _) = get_json(&helium.health_url("/healthz")).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})), "{mode}");
    let (status, body, _) = get_json(&helium.health_url("/readyz")).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "ok", "database": "ok", "redis": "ok", "rabbitmq": "ok"})),
        "{mode}"
    );

    let http_mode = matches!(mode, "api" | "subscribe_api" | "webhook_api" | "all");
    if http_mode {
        let res = client().get(helium.http_url("/no-such-route")).send().await.unwrap();
        assert_eq!(res.status(), 404, "{mode}: main listener");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{mode}");
    } else {
        assert!(TcpStream::connect(("127.0.0.1", helium.http_port)).is_err(), "{mode} must not open an HTTP listener");
    }
    let grpc_open = TcpStream::connect(("127.0.0.1", helium.grpc_port)).is_ok();
    assert_eq!(grpc_open, matches!(mode, "grpc" | "all"), "{mode}: gRPC port");

    let started = Instant::now();
    let exit = helium.sigterm_and_wait(EXIT_GRACE).await;
    assert_eq!(exit.code(), Some(0), "{mode}: stderr:\n{}", helium.stderr());
    assert!(started.elapsed() < EXIT_GRACE);
    assert!(helium.stderr().contains("helium stopped"), "{mode}");
}

macro_rules! mode_test {
    ($name:ident, $mode:literal) => {
        #[sqlx::test(migrator = "helium_infra::MIGRATOR")]
        async fn $name(pool: PgPool) {
            mode_serves_and_stops_cleanly(pool, $mode).await;
        }
    };
}

mode_test!(mode_api_is_healthy_ready_and_exits_0_on_sigterm, "api");
mode_test!(mode_grpc_is_healthy_ready_and_exits_0_on_sigterm, "grpc");
mode_test!(mode_subscribe_api_is_healthy_ready_and_exits_0_on_sigterm, "subscribe_api");
mode_test!(mode_webhook_api_is_healthy_ready_and_exits_0_on_sigterm, "webhook_api");
mode_test!(mode_consumer_is_healthy_ready_and_exits_0_on_sigterm, "consumer");
mode_test!(mode_mailer_is_healthy_ready_and_exits_0_on_sigterm, "mailer");
mode_test!(mode_cron_executor_is_healthy_ready_and_exits_0_on_sigterm, "cron_executor");
mode_test!(mode_all_is_healthy_ready_and_exits_0_on_sigterm, "all");

/// `/readyz` is 503 within 2 s with only `failing` marked "error" and a message naming it.
async fn assert_not_ready_because_of(helium: &HeliumProcess, failing: &str) -> Value {
    let (status, body, took) = get_json(&helium.health_url("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < READY_BUDGET, "/readyz took {took:?}");
    assert_eq!(body["status"], "error", "{body}");
    for dep in ["database", "redis", "rabbitmq"] {
        let expected = if dep == failing { "error" } else { "ok" };
        assert_eq!(body[dep], expected, "{dep} in {body}");
    }
    let message = body["error"].as_str().unwrap_or_default().to_lowercase();
    assert!(message.contains(failing), "error should name {failing}: {body}");
    assert_eq!(body.as_object().unwrap().len(), 5, "{body}");
    body
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn readyz_is_503_naming_redis_when_redis_port_is_closed(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let redis = format!("redis://127.0.0.1:{}", closed_port());
    let mut helium = HeliumCommand::server("api", &url, &redis_prefix()).env("REDIS_URL", redis).spawn();
    helium.wait_health("/healthz", 200).await;
    assert_not_ready_because_of(&helium, "redis").await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn readyz_is_503_naming_rabbitmq_when_mq_port_is_closed(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let mq = format!("amqp://guest:guest@127.0.0.1:{}/%2f", closed_port());
    let mut helium = HeliumCommand::server("api", &url, &redis_prefix()).env("MQ_URL", mq).spawn();
    helium.wait_health("/healthz", 200).await;
    assert_not_ready_because_of(&helium, "rabbitmq").await;
}

#[tokio::test]
async fn database_down_health_answers_during_startup_and_sigterm_exits_0() {
    let url = format!("postgres://postgres@127.0.0.1:{}/helium", closed_port());
    let mut helium = HeliumCommand::server("api", &url, &redis_prefix()).env("SKIP_MIGRATIONS", "true").spawn();
    let res = helium.wait_health("/healthz", 200).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    assert_not_ready_because_of(&helium, "database").await;
    // Still starting (bootstrap retries for up to 30 s) while health already answers.
    helium.assert_running();
    assert!(!helium.stderr().contains("helium started"), "{}", helium.stderr());
    let exit = helium.sigterm_and_wait(EXIT_GRACE).await;
    assert_eq!(exit.code(), Some(0), "stderr:\n{}", helium.stderr());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn readyz_answers_within_2s_when_redis_hangs_and_sigterm_still_exits_0(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let hung = HangingListener::start();
    let mut helium = HeliumCommand::server("api", &url, &redis_prefix())
        .env("REDIS_URL", format!("redis://127.0.0.1:{}", hung.port))
        .spawn();
    helium.wait_health("/healthz", 200).await;
    assert_not_ready_because_of(&helium, "redis").await;
    // SIGTERM only after start-up: a signal sent while server::run switches from its start-up
    // listener to the main loop's is currently lost (known source bug).
    helium.wait_until_started().await;
    let exit = helium.sigterm_and_wait(EXIT_GRACE).await;
    assert_eq!(exit.code(), Some(0), "stderr:\n{}", helium.stderr());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn readyz_answers_within_2s_when_rabbitmq_hangs_and_sigterm_still_exits_0(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let hung = HangingListener::start();
    let mut helium = HeliumCommand::server("api", &url, &redis_prefix())
        .env("MQ_URL", format!("amqp://guest:guest@127.0.0.1:{}/%2f", hung.port))
        .spawn();
    helium.wait_health("/healthz", 200).await;
    assert_not_ready_because_of(&helium, "rabbitmq").await;
    // SIGTERM only after start-up: a signal sent while server::run switches from its start-up
    // listener to the main loop's is currently lost (known source bug).
    helium.wait_until_started().await;
    let exit = helium.sigterm_and_wait(EXIT_GRACE).await;
    assert_eq!(exit.code(), Some(0), "stderr:\n{}", helium.stderr());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn in_flight_readyz_completes_after_sigterm_and_process_exits_0(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let hung = HangingListener::start();
    let mut helium = HeliumCommand::server("api", &url, &redis_prefix())
        .env("REDIS_URL", format!("redis://127.0.0.1:{}", hung.port))
        .spawn();
    helium.wait_until_started().await;

    let readyz = helium.health_url("/readyz");
    let request = tokio::spawn(async move {
        let res = client().get(readyz).send().await?;
        let status = res.status().as_u16();
        let body = res.json::<Value>().await?;
        Ok::<_, reqwest::Error>((status, body, Instant::now()))
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let term_sent = Instant::now();
    helium.sigterm();

    let (status, body, answered) = tokio::time::timeout(EXIT_GRACE, request)
        .await
        .expect("in-flight request never completed")
        .unwrap()
        .unwrap_or_else(|e| panic!("in-flight request failed: {e}\n{}", helium.stderr()));
    assert!(answered > term_sent, "the request was not in flight at SIGTERM");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "error");
    assert_eq!(
        (&body["database"], &body["redis"], &body["rabbitmq"]),
        (&json!("ok"), &json!("error"), &json!("ok")),
        "{body}"
    );
    assert!(body["error"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let exit = helium.wait_exit(EXIT_GRACE).await;
    assert_eq!(exit.code(), Some(0), "stderr:\n{}", helium.stderr());
}

/// Runs `cmd`, which must fail configuration: exit 2, one stderr line, no panic/backtrace.
async fn config_error_line(cmd: HeliumCommand) -> String {
    let done = cmd.env("RUST_BACKTRACE", "1").run(EXIT_GRACE).await;
    assert_eq!(done.code(), Some(2), "{}", done.output());
    let lines: Vec<&str> = done.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one stderr line:\n{}", done.output());
    let lower = done.stderr.to_lowercase();
    assert!(!lower.contains("panicked") && !lower.contains("backtrace"), "{}", done.output());
    lines[0].to_owned()
}

/// A complete server command whose database is unreachable (so nothing real is touched).
fn unreachable_server() -> HeliumCommand {
    let db = format!("postgres://postgres@127.0.0.1:{}/helium", closed_port());
    HeliumCommand::server("api", &db, &redis_prefix())
}

#[tokio::test]
async fn unknown_mode_by_flag_or_work_mode_exits_2_listing_valid_modes() {
    let by_flag = unreachable_server().env_remove("WORK_MODE").arg("--mode").arg("bogus");
    let by_env = unreachable_server().env("WORK_MODE", "bogus");
    for cmd in [by_flag, by_env] {
        let line = config_error_line(cmd).await;
        assert!(line.contains("bogus"), "{line}");
        assert!(line.contains(VALID_MODES), "{line}");
    }
}

#[tokio::test]
async fn missing_database_redis_or_mq_url_exits_2_naming_the_variable() {
    for var in ["DATABASE_URL", "REDIS_URL", "MQ_URL"] {
        let line = config_error_line(unreachable_server().env_remove(var)).await;
        assert!(line.contains(var), "{var}: {line}");
    }
}

#[tokio::test]
async fn malformed_health_check_port_or_scan_interval_exits_2_naming_it() {
    for (var, value) in [("HEALTH_CHECK_PORT", "abc"), ("SCAN_INTERVAL", "0")] {
        let line = config_error_line(unreachable_server().env(var, value)).await;
        assert!(line.contains(var), "{var}={value}: {line}");
        assert!(line.contains(value), "{var}={value}: {line}");
    }
}

#[tokio::test]
async fn four_concurrent_migrate_runs_apply_each_migration_exactly_once() {
    let db = TempDatabase::create("migrate").await;
    let mut procs: Vec<HeliumProcess> = (0..4)
        .map(|_| {
            HeliumCommand::helium().arg("migrate").env("DATABASE_URL", db.url.clone()).env("RUST_LOG", "info").spawn()
        })
        .collect();
    for p in &mut procs {
        let exit = p.wait_exit(Duration::from_secs(30)).await;
        assert_eq!(exit.code(), Some(0), "stderr:\n{}", p.stderr());
        assert!(p.stdout().contains("migrations applied"), "{}", p.stdout());
    }
    drop(procs);

    let pool = db.pool().await;
    let applied: Vec<(i64, i64, bool)> = sqlx::query_as(
        "SELECT version, count(*) OVER (PARTITION BY version), success
         FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected: Vec<(i64, i64, bool)> = helium_infra::MIGRATOR.iter().map(|m| (m.version, 1, true)).collect();
    assert!(!expected.is_empty());
    assert_eq!(applied, expected);
    let table: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('public.application__config')::text").fetch_one(&pool).await.unwrap();
    assert_eq!(table.as_deref(), Some("application__config"));
    pool.close().await;
}

#[tokio::test]
async fn openapi_prints_a_3_1_document_with_meta_path_without_any_env() {
    let done = HeliumCommand::helium().arg("openapi").run(EXIT_GRACE).await;
    assert_eq!(done.code(), Some(0), "{}", done.output());
    let doc: Value = serde_json::from_str(&done.stdout).expect("stdout is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["paths"]["/api/v1/meta"]["get"]["operationId"], "getMeta");
}

async fn started_api(pool: &PgPool, extra: &[(&str, &str)]) -> HeliumProcess {
    let url = database_url_for(pool).await;
    let mut cmd = HeliumCommand::server("api", &url, &redis_prefix());
    for (k, v) in extra {
        cmd = cmd.env(k, *v);
    }
    let mut helium = cmd.spawn();
    helium.wait_until_started().await;
    helium
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn metrics_count_requests_by_route_template_and_expose_pool_and_memory_gauges(pool: PgPool) {
    let helium = started_api(&pool, &[]).await;
    let http = client();
    let meta = http.get(helium.http_url("/api/v1/meta")).send().await.unwrap();
    assert_eq!(meta.status(), 200);
    let missing = http.get(helium.http_url("/no/such/secret-path-token")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    let res = http.get(helium.health_url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = res.text().await.unwrap();

    let counted = |route: &str, status: &str| {
        text.lines().any(|l| {
            l.starts_with("http_requests_total{")
                && l.contains(&format!("route=\"{route}\""))
                && l.contains(&format!("status=\"{status}\""))
        })
    };
    assert!(counted("/api/v1/meta", "200"), "meta request not counted:\n{text}");
    assert!(counted("unmatched", "404"), "unknown path not counted:\n{text}");
    assert!(!text.contains("secret-path-token"), "raw path leaked:\n{text}");
    for metric in [
        "http_request_duration_seconds_bucket",
        "db_pool_connections",
        "db_pool_idle_connections",
        "process_resident_memory_bytes",
    ] {
        assert!(text.lines().any(|l| l.starts_with(metric)), "{metric} missing:\n{text}");
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn request_id_is_echoed_or_generated_and_appears_in_json_logs(pool: PgPool) {
    let mut helium = started_api(&pool, &[("LOG_FORMAT", "json")]).await;
    let http = client();

    let res = http.get(helium.http_url("/api/v1/nope")).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found", "{body}");
    assert_eq!(body["request_id"], "abc-123", "{body}");

    let mut generated = Vec::new();
    for sent in [Some("has space"), None] {
        let mut req = http.get(helium.http_url("/api/v1/meta"));
        if let Some(id) = sent {
            req = req.header("x-request-id", id);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{sent:?} → {id:?}");
        generated.push(id);
    }
    assert_ne!(generated[0], generated[1]);

    helium.wait_for_log("abc-123", Duration::from_secs(5)).await;
    let stderr = helium.stderr();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok_and(|v| v.is_object()), "not a JSON log line: {line}");
    }
    assert!(lines.iter().any(|l| l.contains("\"abc-123\"")), "{stderr}");
    let exit = helium.sigterm_and_wait(EXIT_GRACE).await;
    assert_eq!(exit.code(), Some(0));
}

type Secrets = (String, String, String);

async fn config_rows(pool: &PgPool) -> (Vec<String>, Secrets) {
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT key FROM application__config ORDER BY key").fetch_all(pool).await.unwrap();
    let secret = |key: &'static str, path: &'static str| async move {
        sqlx::query_scalar::<_, String>(&format!(
            "SELECT value #>> '{{{path}}}' FROM application__config WHERE key = $1"
        ))
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap()
    };
    let secrets = (
        secret("auth", "jwt,secret").await,
        secret("admin-jwt", "secret").await,
        secret("telecom", "vpn_server_token").await,
    );
    (keys, secrets)
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn startup_initialises_six_module_configs_with_unique_strong_secrets(pool: PgPool) {
    // A second database, empty: this server also applies the migrations itself.
    let other = TempDatabase::create("startup").await;
    let mut first = HeliumCommand::server("api", &database_url_for(&pool).await, &redis_prefix()).spawn();
    let mut second = HeliumCommand::server("api", &other.url, &redis_prefix()).spawn();
    first.wait_until_started().await;
    second.wait_until_started().await;

    let other_pool = other.pool().await;
    let (keys_a, secrets_a) = config_rows(&pool).await;
    let (keys_b, secrets_b) = config_rows(&other_pool).await;
    let expected = ["admin-jwt", "affiliate", "auth", "mailer", "shop", "telecom"];
    assert_eq!(keys_a, expected);
    assert_eq!(keys_b, expected);
    for (a, b) in [(&secrets_a.0, &secrets_b.0), (&secrets_a.1, &secrets_b.1), (&secrets_a.2, &secrets_b.2)] {
        assert!(a.chars().count() >= 32 && b.chars().count() >= 32, "{a} / {b}");
        assert_ne!(a, b, "two fresh databases share a secret");
    }
    assert_ne!(secrets_a.0, secrets_a.1, "auth and admin JWT share a secret");
    other_pool.close().await;
    for helium in [&mut first, &mut second] {
        let exit = helium.sigterm_and_wait(EXIT_GRACE).await;
        assert_eq!(exit.code(), Some(0), "stderr:\n{}", helium.stderr());
    }
}
