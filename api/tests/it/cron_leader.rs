//! `cron_executor` with the real binary: exactly one leader among several processes, fail-over
//! after the leader is SIGKILLed, the built-in purge jobs deleting exactly the stale rows, and
//! a failing job that does not stop the others.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::process::{Child, Command};
use uuid::Uuid;

const HELIUM: &str = env!("CARGO_BIN_EXE_helium");
const POLL: Duration = Duration::from_millis(100);
const JOBS: [&str; 5] = [
    "purge_one_time_tokens",
    "purge_published_outbox",
    "purge_consumer_inbox",
    "purge_idempotency_keys",
    "verify_audit_chain",
];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A URL for the spawned processes to reach the test's database.
async fn database_url(pool: &PgPool) -> String {
    let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL (admin URL) must be set");
    let db: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    let (base, query) = admin.split_once('?').map_or((admin.as_str(), String::new()), |(b, q)| (b, format!("?{q}")));
    let host_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[host_end..].find('/').map_or(base.len(), |i| host_end + i);
    format!("{}/{db}{query}", &base[..path_start])
}

/// `helium` in `cron_executor` mode; SIGKILLed on drop if still running.
struct Cron {
    child: Child,
    log: PathBuf,
    health_port: u16,
}

impl Drop for Cron {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Cron {
    async fn start(db_url: &str, scan_interval: u64) -> Self {
        let (health_port, http, grpc) = (free_port(), free_port(), free_port());
        let log = std::env::temp_dir().join(format!("helium-cron-{}.log", Uuid::new_v4()));
        let child = Command::new(HELIUM)
            .env_clear()
            .envs([
                ("WORK_MODE", "cron_executor".to_owned()),
                ("DATABASE_URL", db_url.to_owned()),
                ("REDIS_URL", "redis://127.0.0.1:6379".to_owned()),
                ("MQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()),
                ("REDIS_KEY_PREFIX", format!("test:{}:", Uuid::new_v4())),
                ("MQ_PREFIX", format!("t{}", Uuid::new_v4().simple())),
                ("LISTEN_ADDR", format!("127.0.0.1:{http}")),
                ("GRPC_LISTEN_ADDR", format!("127.0.0.1:{grpc}")),
                ("HEALTH_CHECK_PORT", health_port.to_string()),
                ("SCAN_INTERVAL", scan_interval.to_string()),
                ("RUST_LOG", "info".to_owned()),
                ("NO_COLOR", "1".to_owned()),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut cron = Self { child, log, health_port };
        // SIGTERM is only reliable after start-up (a signal during the switch is lost).
        let deadline = Instant::now() + Duration::from_secs(30);
        while !cron.log().contains("helium started") {
            cron.assert_running();
            assert!(Instant::now() < deadline, "helium did not start:\n{}", cron.log());
            tokio::time::sleep(POLL).await;
        }
        cron
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn pid(&self) -> String {
        self.child.id().expect("process still running").to_string()
    }

    fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("helium exited ({status}):\n{}", self.log());
        }
    }

    fn signal(&self, sig: &str) {
        let status = std::process::Command::new("kill").args([sig, &self.pid()]).status().unwrap();
        assert!(status.success(), "kill {sig} {}", self.pid());
    }

    /// The /metrics text, or None while the health port does not answer.
    async fn metrics(&self) -> Option<String> {
        let url = format!("http://127.0.0.1:{}/metrics", self.health_port);
        let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build().unwrap();
        client.get(url).send().await.ok()?.text().await.ok()
    }

    /// The value of `name` (with `job` label if given), if exposed.
    async fn metric(&self, name: &str, job: Option<&str>) -> Option<f64> {
        let text = self.metrics().await?;
        let prefix = match job {
            Some(job) => format!("{name}{{job=\"{job}\"}} "),
            None => format!("{name} "),
        };
        text.lines().find_map(|l| l.strip_prefix(&prefix)?.trim().parse().ok())
    }

    /// Polls until `metric` is at least `min`; returns its value.
    async fn wait_metric(&mut self, name: &str, job: Option<&str>, min: f64, timeout: Duration) -> f64 {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.metric(name, job).await;
            if let Some(v) = value.filter(|v| *v >= min) {
                return v;
            }
            self.assert_running();
            assert!(Instant::now() < deadline, "{name}{{{job:?}}} = {value:?}, want >= {min}; log:\n{}", self.log());
            tokio::time::sleep(POLL).await;
        }
    }
}

async fn exec(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql).execute(pool).await.unwrap();
}

async fn strings(pool: &PgPool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn one_leader_at_a_time_and_a_standby_takes_over_after_sigkill(pool: PgPool) {
    const SCAN_INTERVAL: u64 = 2;
    let url = database_url(&pool).await;
    let mut procs = [Cron::start(&url, SCAN_INTERVAL).await, Cron::start(&url, SCAN_INTERVAL).await];

    let deadline = Instant::now() + Duration::from_secs(20);
    let leader = loop {
        let a = procs[0].metric("helium_cron_leader", None).await;
        let b = procs[1].metric("helium_cron_leader", None).await;
        match (a, b) {
            (Some(1.0), Some(0.0)) => break 0,
            (Some(0.0), Some(1.0)) => break 1,
            (Some(1.0), Some(1.0)) => panic!("two leaders at once"),
            other => assert!(Instant::now() < deadline, "no single leader: {other:?}"),
        }
        tokio::time::sleep(POLL).await;
    };
    // Stable: a few polls later it is still exactly one.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(procs[leader].metric("helium_cron_leader", None).await, Some(1.0));
        assert_eq!(procs[1 - leader].metric("helium_cron_leader", None).await, Some(0.0));
    }

    let killed = Instant::now();
    procs[leader].signal("-KILL");
    let status = tokio::time::timeout(Duration::from_secs(5), procs[leader].child.wait()).await.unwrap().unwrap();
    assert!(!status.success(), "SIGKILLed: {status}");
    let survivor = &mut procs[1 - leader];
    let budget = Duration::from_secs(SCAN_INTERVAL + 10);
    survivor.wait_metric("helium_cron_leader", None, 1.0, budget).await;
    let took = killed.elapsed();
    eprintln!("cron fail-over took {took:?}");
    assert!(took <= budget, "fail-over took {took:?}");

    survivor.signal("-TERM");
    let status = tokio::time::timeout(Duration::from_secs(15), survivor.child.wait()).await.unwrap().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM exit; log:\n{}", survivor.log());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn purge_jobs_delete_exactly_the_stale_rows(pool: PgPool) {
    // Auth defaults: e-mail codes are deleted after 7200 s, magic links after 14400 s.
    exec(
        &pool,
        r#"
        INSERT INTO auth.one_time_tokens (token_hash, kind, purpose, email, created_at, expires_at) VALUES
          ('otp-old', 'otp', 'sign_in', 'a@x.test', now() - interval '3 hours', now() - interval '175 minutes'),
          ('otp-fresh', 'otp', 'sign_in', 'a@x.test', now() - interval '10 minutes', now() - interval '5 minutes'),
          ('magic-old', 'magic_link', 'register', 'b@x.test', now() - interval '5 hours', now() - interval '4 hours'),
          ('magic-mid', 'magic_link', 'register', 'b@x.test', now() - interval '3 hours', now() - interval '2 hours'),
          ('magic-fresh', 'magic_link', 'register', 'b@x.test', now(), now() + interval '30 minutes');
        INSERT INTO outbox (id, event_type, aggregate_id, occurred_at, payload, published_at) VALUES
          ('00000000-0000-7000-8000-000000000001', 'system.probe', 'published-8d', now() - interval '8 days', '{}', now() - interval '8 days'),
          ('00000000-0000-7000-8000-000000000002', 'system.probe', 'published-1d', now() - interval '1 day', '{}', now() - interval '1 day'),
          ('00000000-0000-7000-8000-000000000003', 'system.probe', 'unpublished-30d', now() - interval '30 days', '{}', NULL),
          ('00000000-0000-7000-8000-000000000004', 'email.requested', 'mail-sent-2h', now() - interval '2 hours', '{}', now() - interval '2 hours'),
          ('00000000-0000-7000-8000-000000000005', 'email.requested', 'mail-sent-10m', now() - interval '10 minutes', '{}', now() - interval '10 minutes'),
          ('00000000-0000-7000-8000-000000000006', 'email.requested', 'mail-unsent-2h', now() - interval '2 hours', '{}', NULL);
        INSERT INTO idempotency_keys (principal, route, key, request_hash, status, content_type, body, expires_at) VALUES
          ('user:1', 'POST /x', 'expired', '\x00', 201, 'application/json', '\x7b7d', now() - interval '1 minute'),
          ('user:1', 'POST /x', 'live', '\x00', 201, 'application/json', '\x7b7d', now() + interval '1 day');
        INSERT INTO consumer_inbox (consumer, event_id, processed_at) VALUES
          ('inbox-31d', gen_random_uuid(), now() - interval '31 days'),
          ('inbox-fresh', gen_random_uuid(), now());
        "#,
    )
    .await;
    let mut cron = Cron::start(&database_url(&pool).await, 2).await;
    for job in JOBS {
        cron.wait_metric("cron_job_runs_total", Some(job), 1.0, Duration::from_secs(20)).await;
    }

    let sql = "SELECT convert_from(token_hash, 'UTF8') FROM auth.one_time_tokens ORDER BY 1";
    assert_eq!(strings(&pool, sql).await, ["magic-fresh", "magic-mid", "otp-fresh"]);
    let sql = "SELECT aggregate_id FROM outbox ORDER BY 1";
    assert_eq!(strings(&pool, sql).await, ["mail-sent-10m", "mail-unsent-2h", "published-1d", "unpublished-30d"]);
    assert_eq!(strings(&pool, "SELECT key FROM idempotency_keys").await, ["live"]);
    assert_eq!(strings(&pool, "SELECT consumer FROM consumer_inbox").await, ["inbox-fresh"]);
    for job in JOBS {
        assert_eq!(cron.metric("cron_job_failures_total", Some(job)).await, None, "{job} failed:\n{}", cron.log());
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_failing_job_does_not_stop_the_others(pool: PgPool) {
    let mut cron = Cron::start(&database_url(&pool).await, 1).await;
    cron.wait_metric("cron_job_runs_total", Some(JOBS[0]), 1.0, Duration::from_secs(15)).await;

    // Corrupt the auth config under the running process (the start-up would re-create a
    // missing one); caches pick it up within ~4 s.
    let done =
        sqlx::query("UPDATE application__config SET value = '{}'::jsonb, version = version + 1 WHERE key = 'auth'")
            .execute(&pool)
            .await
            .unwrap();
    assert_eq!(done.rows_affected(), 1);
    let failures = cron.wait_metric("cron_job_failures_total", Some(JOBS[0]), 1.0, Duration::from_secs(15)).await;
    assert!(cron.log().contains("cron job failed"), "{}", cron.log());

    // The other jobs keep running on later ticks, and the broken one keeps failing.
    let mut runs = Vec::new();
    for job in &JOBS[1..] {
        runs.push(cron.metric("cron_job_runs_total", Some(job)).await.unwrap());
    }
    for (job, before) in JOBS[1..].iter().zip(runs) {
        cron.wait_metric("cron_job_runs_total", Some(job), before + 2.0, Duration::from_secs(10)).await;
    }
    cron.wait_metric("cron_job_failures_total", Some(JOBS[0]), failures + 1.0, Duration::from_secs(5)).await;
    cron.assert_running();
}
