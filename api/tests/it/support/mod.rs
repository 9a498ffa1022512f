//! Shared helpers for the integration tests. Everything runs against the real PostgreSQL,
//! Redis and RabbitMQ of the machine, isolated per test: a fresh database (`#[sqlx::test]` or
//! [`TempDatabase`]), a unique Redis key prefix, free TCP ports. Spawned processes are killed
//! when their guard drops, and every wait is bounded.
#![expect(dead_code, reason = "not every test uses every helper")]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use helium_api::state::AppState;

mod app;
pub mod mail;
pub mod shop;
pub mod smtp;
pub mod staff;
pub mod totp;

pub use app::*;
use helium_infra::events::Topology;
use helium_infra::{MqHandle, RedisHandle};
use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};

pub const HELIUM: &str = env!("CARGO_BIN_EXE_helium");
pub const HELIUM_CLI: &str = env!("CARGO_BIN_EXE_helium-cli");
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
pub const MQ_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// Poll interval of every bounded wait.
pub const POLL: Duration = Duration::from_millis(50);
/// Upper bound for a server to come up.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The admin URL `#[sqlx::test]` uses to create databases.
pub fn admin_database_url() -> String {
    std::env::var("DATABASE_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| {
        panic!(
            "DATABASE_URL must be set for the integration tests, e.g. \
                 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test -p helium-api --tests"
        )
    })
}

/// `admin` with its database replaced by `db` (query string kept).
pub fn url_with_database(admin: &str, db: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    format!("{}/{db}{query}", &base[..authority_end])
}

/// A URL for other processes to reach the database behind `pool`.
pub async fn database_url_for(pool: &PgPool) -> String {
    let name: String =
        sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.expect("SELECT current_database()");
    url_with_database(&admin_database_url(), &name)
}

/// A Redis key prefix nobody else uses.
pub fn redis_prefix() -> String {
    format!("test:{}:", uuid::Uuid::new_v4())
}

/// `N` distinct free ports (all held while picking, so they differ).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> =
        (0..N).map(|_| TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0")).collect();
    let mut ports = [0u16; N];
    for (p, l) in ports.iter_mut().zip(&listeners) {
        *p = l.local_addr().expect("local_addr").port();
    }
    ports
}

pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// A port with nothing listening (connections are refused).
pub fn closed_port() -> u16 {
    free_port()
}

/// Application state wired to the real Redis and RabbitMQ, keys under `prefix`.
pub fn test_state(pool: PgPool, prefix: &str) -> AppState {
    let redis = RedisHandle::new(REDIS_URL, prefix.to_owned()).expect("RedisHandle");
    AppState::new(pool, redis, MqHandle::new(MQ_URL))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("reqwest client")
}

/// Polls `GET url` until it answers `expected`; panics with the last outcome after `timeout`.
pub async fn wait_until(url: &str, expected: u16, timeout: Duration) -> reqwest::Response {
    let client = client();
    let deadline = Instant::now() + timeout;
    loop {
        let last = match client.get(url).send().await {
            Ok(res) if res.status().as_u16() == expected => return res,
            Ok(res) => format!("status {}", res.status()),
            Err(e) => format!("error {e}"),
        };
        if Instant::now() > deadline {
            panic!("GET {url} did not answer {expected} within {timeout:?}; last: {last}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A scratch directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(format!("helium-{tag}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An empty database created through the admin connection and dropped (forcefully) on drop,
/// for tests that need a database without migrations or a second one.
pub struct TempDatabase {
    pub name: String,
    pub url: String,
}

impl TempDatabase {
    pub async fn create(tag: &str) -> Self {
        let name = format!("helium_{tag}_{}", uuid::Uuid::new_v4().simple());
        let admin = admin_database_url();
        let mut conn = PgConnection::connect(&admin).await.expect("admin connect");
        conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.expect("CREATE DATABASE");
        let _ = conn.close().await;
        let url = url_with_database(&admin, &name);
        Self { name, url }
    }

    pub async fn pool(&self) -> PgPool {
        PgPoolOptions::new().max_connections(2).connect(&self.url).await.expect("connect temp database")
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let dropper = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let mut conn = PgConnection::connect(&admin_database_url()).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await?;
                conn.close().await
            })
        });
        if let Ok(Err(e)) = dropper.join() {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// A TCP server that accepts connections and never writes: a hung Redis or RabbitMQ.
pub struct HangingListener {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HangingListener {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind hanging listener");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local_addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self { port, stop, thread: Some(thread) }
    }
}

impl Drop for HangingListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How a short-lived command ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Everything the command printed, for assertion messages.
    pub fn output(&self) -> String {
        format!("--- stdout ---\n{}--- stderr ---\n{}", self.stdout, self.stderr)
    }
}

/// A `helium` / `helium-cli` invocation with a fully explicit environment (nothing inherited).
pub struct HeliumCommand {
    program: &'static str,
    args: Vec<String>,
    vars: BTreeMap<String, String>,
    pub health_port: u16,
    pub http_port: u16,
    pub grpc_port: u16,
}

impl HeliumCommand {
    /// `helium` with an empty environment.
    pub fn helium() -> Self {
        let [health_port, http_port, grpc_port] = free_ports::<3>();
        Self { program: HELIUM, args: Vec::new(), vars: BTreeMap::new(), health_port, http_port, grpc_port }
    }

    /// `helium-cli` with an empty environment.
    pub fn cli() -> Self {
        Self { program: HELIUM_CLI, ..Self::helium() }
    }

    /// `helium` in `mode` with every variable a server needs, all listeners on free ports.
    pub fn server(mode: &str, database_url: &str, prefix: &str) -> Self {
        let c = Self::helium();
        let (health, http, grpc) = (c.health_port, c.http_port, c.grpc_port);
        c.env("WORK_MODE", mode)
            .env("DATABASE_URL", database_url)
            .env("REDIS_URL", REDIS_URL)
            .env("MQ_URL", MQ_URL)
            .env("REDIS_KEY_PREFIX", prefix)
            .env("MQ_PREFIX", format!("test-{}", uuid::Uuid::new_v4().simple()))
            .env("LISTEN_ADDR", format!("127.0.0.1:{http}"))
            .env("GRPC_LISTEN_ADDR", format!("127.0.0.1:{grpc}"))
            .env("HEALTH_CHECK_PORT", health.to_string())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.vars.insert(key.to_owned(), value.into());
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.vars.remove(key);
        self
    }

    /// Modes whose workers declare RabbitMQ exchanges and queues.
    fn runs_event_workers(&self) -> bool {
        matches!(self.vars.get("WORK_MODE").map(String::as_str), Some("consumer" | "mailer" | "all"))
    }

    fn start(&self, dir: &TempDir) -> Child {
        let out = std::fs::File::create(dir.path().join("stdout")).expect("stdout file");
        let err = std::fs::File::create(dir.path().join("stderr")).expect("stderr file");
        Command::new(self.program)
            .args(&self.args)
            .env_clear()
            .envs(&self.vars)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.program))
    }

    /// Starts a long-running process, killed when the guard drops.
    pub fn spawn(self) -> HeliumProcess {
        let dir = TempDir::new("proc");
        let child = self.start(&dir);
        HeliumProcess {
            child,
            dir,
            mq_prefix: self.vars.get("MQ_PREFIX").filter(|_| self.runs_event_workers()).cloned(),
            health_port: self.health_port,
            http_port: self.http_port,
            grpc_port: self.grpc_port,
        }
    }

    /// Runs to completion; panics (after killing it) if it takes longer than `timeout`.
    pub async fn run(self, timeout: Duration) -> Finished {
        let mut proc = self.spawn();
        let status = proc.wait_exit(timeout).await;
        Finished { status, stdout: proc.stdout(), stderr: proc.stderr() }
    }
}

/// A running `helium`; SIGKILLed and reaped on drop if still alive.
pub struct HeliumProcess {
    child: Child,
    dir: TempDir,
    /// The process's own RabbitMQ names (`MQ_PREFIX`), deleted on drop.
    mq_prefix: Option<String>,
    pub health_port: u16,
    pub http_port: u16,
    pub grpc_port: u16,
}

impl HeliumProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stdout")).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }

    pub fn health_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.health_port)
    }

    pub fn http_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http_port)
    }

    /// Panics with the process's logs if it has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().expect("try_wait") {
            panic!("helium exited early ({status}); stderr:\n{}", self.stderr());
        }
    }

    /// Waits until stderr contains `needle`.
    pub async fn wait_for_log(&mut self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.stderr().contains(needle) {
            self.assert_running();
            if Instant::now() > deadline {
                panic!("no log line with {needle:?} within {timeout:?}; stderr:\n{}", self.stderr());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Start-up complete: migrations, config initialisation, listeners and workers.
    pub async fn wait_until_started(&mut self) {
        self.wait_for_log("helium started", START_TIMEOUT).await;
    }

    /// Polls a health-port path until it answers `expected`, failing fast if the process dies.
    pub async fn wait_health(&mut self, path: &str, expected: u16) -> reqwest::Response {
        let url = self.health_url(path);
        let client = client();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            self.assert_running();
            match client.get(&url).send().await {
                Ok(res) if res.status().as_u16() == expected => return res,
                other if Instant::now() > deadline => {
                    panic!("GET {url} did not answer {expected}: {other:?}; stderr:\n{}", self.stderr())
                }
                _ => tokio::time::sleep(POLL).await,
            }
        }
    }

    pub fn sigterm(&self) {
        let status = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits for the process to exit; panics with its logs after `timeout`.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() > deadline {
                panic!("process did not exit within {timeout:?}; stderr:\n{}", self.stderr());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn sigterm_and_wait(&mut self, timeout: Duration) -> ExitStatus {
        self.sigterm();
        self.wait_exit(timeout).await
    }
}

impl Drop for HeliumProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(prefix) = self.mq_prefix.take() {
            delete_mq_topology(prefix);
        }
    }
}

/// Deletes the exchanges and queues the event workers declare under `prefix` (deleting a
/// missing one is a no-op in RabbitMQ), so test runs leave nothing durable behind.
fn delete_mq_topology(prefix: String) {
    let cleaner = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
        rt.block_on(async move {
            let mq = MqHandle::new(MQ_URL);
            let ch = mq.connection().await.ok()?.create_channel().await.ok()?;
            let topology = Topology::new(prefix);
            // The mail sender's consumer is named "mailer"; the others are listed by the app.
            let mut consumers: Vec<&str> = helium_api::workers::CONSUMER_NAMES.to_vec();
            consumers.push("mailer");
            let mut queues = vec![topology.unrouted_queue()];
            for c in consumers {
                queues.extend([topology.queue(c), topology.dlq(c)]);
                queues.extend((1..=20).map(|n| topology.retry_queue(c, n)));
            }
            for q in &queues {
                ch.queue_delete(q, QueueDeleteOptions::default()).await.ok()?;
            }
            for e in [topology.exchange(), topology.unrouted_exchange()] {
                ch.exchange_delete(&e, ExchangeDeleteOptions::default()).await.ok()?;
            }
            mq.close().await;
            Some(())
        })
    });
    if !matches!(cleaner.join(), Ok(Some(()))) {
        eprintln!("could not delete RabbitMQ test topology");
    }
}
