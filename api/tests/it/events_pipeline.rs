//! The event pipeline against real PostgreSQL and RabbitMQ, in process: the transactional
//! outbox, the confirmed relay (concurrent relays, unrouted events, a broker-side connection
//! close), and the consumer framework (dedupe, retry, dead-lettering, malformed messages,
//! `helium-cli dlq list|replay`, graceful shutdown).
//!
//! Isolation: a fresh database per test (`#[sqlx::test]`), a unique `MQ_PREFIX` per test whose
//! exchanges and queues are deleted when the test ends (even on panic), and for the test that
//! closes connections from the broker side, a throw-away virtual host so that only the relay's
//! own connection can be picked.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use helium_domain::events::{Event, types};
use helium_infra::MqHandle;
use helium_infra::events::consumer::{ATTEMPT_HEADER, ConsumerRunner, ERROR_HEADER, header_str, header_u32};
use helium_infra::events::relay::{self, Relay};
use helium_infra::events::{ConsumerSettings, Handler, HandlerError, Topology, outbox};
use lapin::options::{
    BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::publisher_confirm::Confirmation;
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const AMQP_BASE: &str = "amqp://guest:guest@127.0.0.1:5672";
const TEST_TYPE: &str = "test.happened";
const WAIT: Duration = Duration::from_secs(15);

fn mq_url() -> String {
    std::env::var("TEST_MQ_URL").unwrap_or_else(|_| format!("{AMQP_BASE}/%2f"))
}

// ---------------------------------------------------------------------------------------------
// Small helpers (self-contained on purpose).
// ---------------------------------------------------------------------------------------------

/// Polls `check` every 20 ms until it holds; panics naming `what` after `timeout`.
async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Bounded await of a runner's task after its token was cancelled.
async fn join_within(task: JoinHandle<anyhow::Result<()>>, limit: Duration, what: &str) {
    match tokio::time::timeout(limit, task).await {
        Ok(joined) => joined.unwrap().unwrap(),
        Err(_) => panic!("{what} did not stop within {limit:?} after cancellation"),
    }
}

/// Microsecond precision, as PostgreSQL stores it, so a round trip compares equal.
fn now_micros() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap()
}

fn event(event_type: &str, payload: serde_json::Value) -> Event {
    Event::new(Uuid::now_v7(), event_type, format!("agg-{}", Uuid::new_v4().simple()), now_micros(), payload)
}

async fn append_committed(pool: &PgPool, events: &[Event]) {
    let mut tx = pool.begin().await.unwrap();
    for e in events {
        outbox::append(&mut tx, e).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

async fn unpublished(pool: &PgPool) -> i64 {
    scalar(pool, "SELECT count(*) FROM outbox WHERE published_at IS NULL").await
}

/// A test table for handler effects: no unique key, so a double effect shows as two rows.
async fn create_effects_table(pool: &PgPool) {
    sqlx::query(
        "CREATE TABLE test_effects (seq BIGSERIAL PRIMARY KEY, handler TEXT NOT NULL, event_id UUID NOT NULL,
         attempt INTEGER NOT NULL)",
    )
    .execute(pool)
    .await
    .unwrap();
}

async fn effects_of(pool: &PgPool, id: Uuid) -> Vec<i32> {
    sqlx::query_scalar::<_, i32>("SELECT attempt FROM test_effects WHERE event_id = $1 ORDER BY seq")
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn inbox_rows(pool: &PgPool, consumer: &str, id: Uuid) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM consumer_inbox WHERE consumer = $1 AND event_id = $2")
        .bind(consumer)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn run_rabbitmqctl(args: &[&str]) -> String {
    let out =
        tokio::time::timeout(Duration::from_secs(30), tokio::process::Command::new("rabbitmqctl").args(args).output())
            .await
            .unwrap_or_else(|_| panic!("rabbitmqctl {args:?} timed out"))
            .unwrap_or_else(|e| panic!("rabbitmqctl {args:?} could not run: {e}"));
    assert!(out.status.success(), "rabbitmqctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Broker-side connection ids (`pid`) of every connection in `vhost`.
async fn connections_in(vhost: &str) -> Vec<String> {
    run_rabbitmqctl(&["list_connections", "-q", "--no-table-headers", "vhost", "pid"])
        .await
        .lines()
        .filter_map(|l| {
            let mut cols = l.split('\t');
            match (cols.next(), cols.next()) {
                (Some(v), Some(pid)) if v.trim() == vhost => Some(pid.trim().to_owned()),
                _ => None,
            }
        })
        .collect()
}

/// A throw-away virtual host (deleted on drop with everything in it).
struct Vhost {
    name: String,
}

impl Vhost {
    async fn create() -> Self {
        let name = format!("t{}", Uuid::new_v4().simple());
        run_rabbitmqctl(&["add_vhost", &name]).await;
        let vhost = Vhost { name };
        run_rabbitmqctl(&["set_permissions", "-p", &vhost.name, "guest", ".*", ".*", ".*"]).await;
        vhost
    }

    fn url(&self) -> String {
        format!("{AMQP_BASE}/{}", self.name)
    }
}

impl Drop for Vhost {
    fn drop(&mut self) {
        let _ = std::process::Command::new("rabbitmqctl")
            .args(["delete_vhost", &self.name])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// This test's RabbitMQ namespace: a unique prefix, an inspection connection, and the
/// consumer names whose queues must be deleted at the end.
struct Mq {
    url: String,
    prefix: String,
    topology: Topology,
    handle: MqHandle,
    consumers: Mutex<Vec<&'static str>>,
}

impl Mq {
    fn new() -> Self {
        Self::with_url(mq_url())
    }

    fn with_url(url: String) -> Self {
        let prefix = format!("t{}", Uuid::new_v4().simple());
        Mq {
            handle: MqHandle::new(url.clone()),
            url,
            topology: Topology::new(prefix.clone()),
            prefix,
            consumers: Mutex::new(Vec::new()),
        }
    }

    async fn channel(&self) -> Channel {
        let conn = self.handle.connection().await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        ch.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
        ch
    }

    /// An exclusive queue bound to the events exchange with `key` (gone with our connection).
    async fn tap(&self, key: &str) -> String {
        let ch = self.channel().await;
        self.topology.declare_exchange(&ch).await.unwrap();
        let name = format!("{}.tap.{}", self.prefix, Uuid::new_v4().simple());
        let opts = QueueDeclareOptions { exclusive: true, ..Default::default() };
        ch.queue_declare(&name, opts, FieldTable::default()).await.unwrap();
        ch.queue_bind(&name, &self.topology.exchange(), key, QueueBindOptions::default(), FieldTable::default())
            .await
            .unwrap();
        name
    }

    /// (ready messages, consumers) of `queue`, or None when it does not exist.
    async fn stats(&self, queue: &str) -> Option<(u32, u32)> {
        let ch = self.handle.connection().await.unwrap().create_channel().await.unwrap();
        let opts = QueueDeclareOptions { passive: true, ..Default::default() };
        let res = ch.queue_declare(queue, opts, FieldTable::default()).await.ok();
        let _ = ch.close(200, "stats").await;
        res.map(|q| (q.message_count(), q.consumer_count()))
    }

    async fn count(&self, queue: &str) -> u32 {
        self.stats(queue).await.unwrap_or_else(|| panic!("queue {queue} does not exist")).0
    }

    /// Takes every ready message off `queue` (acknowledged: they are consumed).
    async fn drain(&self, queue: &str) -> Vec<lapin::message::Delivery> {
        let ch = self.channel().await;
        let mut out = Vec::new();
        while let Some(m) = ch.basic_get(queue, BasicGetOptions { no_ack: true }).await.unwrap() {
            out.push(m.delivery);
        }
        let _ = ch.close(200, "drained").await;
        out
    }

    async fn publish(&self, exchange: &str, key: &str, body: &[u8], props: BasicProperties) {
        let ch = self.channel().await;
        let confirm = ch.basic_publish(exchange, key, BasicPublishOptions::default(), body, props).await.unwrap();
        assert!(matches!(confirm.await.unwrap(), Confirmation::Ack(None)));
        let _ = ch.close(200, "published").await;
    }

    /// Publishes `event` to the events exchange exactly as the relay does.
    async fn publish_event(&self, event: &Event) {
        let body = serde_json::to_vec(event).unwrap();
        self.publish(&self.topology.exchange(), &event.event_type, &body, relay::properties(event)).await;
    }

    /// A relay that declares no consumer queue (only the exchanges).
    fn relay(&self, pool: &PgPool, batch: i64) -> Relay {
        self.relay_declaring(pool, batch, Vec::new(), Vec::new())
    }

    /// A relay that declares `consumers`' queues (with `retry_delays_ms`) before publishing,
    /// as the `consumer` mode's relay does.
    fn relay_declaring(
        &self,
        pool: &PgPool,
        batch: i64,
        consumers: Vec<(&'static str, &'static [&'static str])>,
        retry_delays_ms: Vec<u64>,
    ) -> Relay {
        let mut consumers_seen = self.consumers.lock().unwrap();
        consumers_seen.extend(consumers.iter().map(|(name, _)| *name));
        Relay {
            db: helium_infra::db::Db::new(pool.clone()),
            mq: MqHandle::new(self.url.clone()),
            topology: self.topology.clone(),
            batch,
            consumers,
            retry_delays_ms,
        }
    }

    /// Starts a consumer on its own connection and waits until it consumes from its queue.
    async fn start_consumer(
        &self,
        pool: &PgPool,
        handler: Arc<TestHandler>,
        max_attempts: u32,
    ) -> (CancellationToken, JoinHandle<anyhow::Result<()>>) {
        self.consumers.lock().unwrap().push(handler.name);
        let runner = ConsumerRunner {
            db: helium_infra::db::Db::new(pool.clone()),
            mq: MqHandle::new(self.url.clone()),
            topology: self.topology.clone(),
            settings: test_settings(max_attempts),
            handler: handler.clone(),
        };
        let stop = CancellationToken::new();
        let task = tokio::spawn(runner.run(stop.clone()));
        let queue = self.topology.queue(handler.name);
        wait_until("the consumer to attach to its queue", WAIT, || async {
            matches!(self.stats(&queue).await, Some((_, c)) if c >= 1)
        })
        .await;
        (stop, task)
    }

    fn queue_names(&self) -> (Vec<String>, Vec<String>) {
        let t = &self.topology;
        let mut queues = vec![t.unrouted_queue()];
        for c in self.consumers.lock().unwrap().iter() {
            queues.push(t.queue(c));
            queues.push(t.dlq(c));
            for base in [50, 1000, 2000] {
                let settings = ConsumerSettings { retry_base: Duration::from_millis(base), ..test_settings(20) };
                queues.extend(settings.retry_delays_ms().into_iter().map(|d| t.retry_queue(c, d)));
            }
        }
        (queues, vec![t.exchange(), t.unrouted_exchange()])
    }
}

/// The consumer settings of these tests: quick retries.
fn test_settings(max_attempts: u32) -> ConsumerSettings {
    ConsumerSettings { prefetch: 4, max_attempts, retry_base: Duration::from_millis(50) }
}

/// Best-effort removal of the test's queues and exchanges, also when the test panicked.
impl Drop for Mq {
    fn drop(&mut self) {
        let (queues, exchanges) = self.queue_names();
        let url = self.url.clone();
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                let work = async {
                    let mq = MqHandle::new(url);
                    let conn = mq.connection().await?;
                    for q in queues {
                        let ch = conn.create_channel().await?;
                        let _ = ch.queue_delete(&q, QueueDeleteOptions::default()).await;
                        let _ = ch.close(200, "cleanup").await;
                    }
                    for x in exchanges {
                        let ch = conn.create_channel().await?;
                        let _ = ch.exchange_delete(&x, ExchangeDeleteOptions::default()).await;
                        let _ = ch.close(200, "cleanup").await;
                    }
                    mq.close().await;
                    anyhow::Ok(())
                };
                let _ = tokio::time::timeout(Duration::from_secs(20), work).await;
            });
        });
        let _ = cleanup.join();
    }
}

// ---------------------------------------------------------------------------------------------
// A configurable test handler.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Failure {
    Transient,
    Permanent,
}

/// Writes one `test_effects` row per successful handling. Fails (`broken`) with `failure`,
/// or transiently for attempts `<= fail_first`; optionally sleeps first.
struct TestHandler {
    name: &'static str,
    fail_first: u32,
    broken: AtomicBool,
    failure: Failure,
    delay: Duration,
    /// (event id, attempt) of every call, in order.
    calls: Mutex<Vec<(Uuid, u32)>>,
}

impl TestHandler {
    fn new(name: &'static str) -> Self {
        TestHandler {
            name,
            fail_first: 0,
            broken: AtomicBool::new(false),
            failure: Failure::Transient,
            delay: Duration::ZERO,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn broken(name: &'static str, failure: Failure) -> Self {
        TestHandler { broken: AtomicBool::new(true), failure, ..TestHandler::new(name) }
    }

    fn attempts_for(&self, id: Uuid) -> Vec<u32> {
        self.calls.lock().unwrap().iter().filter(|(e, _)| *e == id).map(|(_, a)| *a).collect()
    }

    async fn run(&self, tx: &mut PgConnection, event: &Event, attempt: u32) -> Result<(), HandlerError> {
        self.calls.lock().unwrap().push((event.id, attempt));
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if self.broken.load(Ordering::SeqCst) {
            let msg = format!("boom: {} cannot handle {}", self.name, event.id);
            return Err(match self.failure {
                Failure::Transient => HandlerError::Transient(msg),
                Failure::Permanent => HandlerError::Permanent(msg),
            });
        }
        if attempt <= self.fail_first {
            return Err(HandlerError::Transient(format!("flaky: attempt {attempt} failed")));
        }
        sqlx::query("INSERT INTO test_effects (handler, event_id, attempt) VALUES ($1, $2, $3)")
            .bind(self.name)
            .bind(event.id)
            .bind(attempt as i32)
            .execute(tx)
            .await
            .map_err(|e| HandlerError::Transient(e.to_string()))?;
        Ok(())
    }
}

// What `#[async_trait]` expands to (helium-api has no direct async-trait dependency).
impl Handler for TestHandler {
    fn name(&self) -> &'static str {
        self.name
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[TEST_TYPE]
    }

    fn handle<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        tx: &'life1 mut PgConnection,
        event: &'life2 Event,
        attempt: u32,
    ) -> Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(self.run(tx, event, attempt))
    }
}

// ---------------------------------------------------------------------------------------------
// Outbox
// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn outbox_rows_exist_only_when_the_transaction_commits(pool: PgPool) {
    let rolled_back = event(TEST_TYPE, json!({"n": 1}));
    let mut tx = pool.begin().await.unwrap();
    outbox::append(&mut tx, &rolled_back).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(scalar(&pool, "SELECT count(*) FROM outbox").await, 0, "a rolled-back append must leave no row");

    let committed = event(TEST_TYPE, json!({"n": 2, "nested": {"a": [1, 2, 3]}, "s": "é"}));
    append_committed(&pool, std::slice::from_ref(&committed)).await;
    let row =
        sqlx::query_as::<_, (Uuid, String, String, DateTime<Utc>, i32, serde_json::Value, Option<DateTime<Utc>>)>(
            "SELECT id, event_type, aggregate_id, occurred_at, schema_version, payload, published_at FROM outbox",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(row.len(), 1);
    let (id, event_type, aggregate_id, occurred_at, schema_version, payload, published_at) = row[0].clone();
    assert_eq!(id, committed.id);
    assert_eq!(id.get_version_num(), 7, "outbox ids are UUID v7");
    assert_eq!(event_type, committed.event_type);
    assert_eq!(aggregate_id, committed.aggregate_id);
    assert_eq!(occurred_at, committed.occurred_at);
    assert_eq!(schema_version, 1);
    assert_eq!(payload, committed.payload);
    assert_eq!(published_at, None);
    // What the relay reads back is the very envelope that was appended.
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(outbox::lock_batch(&mut tx, 10).await.unwrap(), vec![committed]);
    tx.rollback().await.unwrap();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn cli_probe_queues_v7_events_in_one_transaction(pool: PgPool) {
    let db: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_helium-cli"))
            .args(["--skip-migration", "--database-url", &url, "events", "probe", "--count", "3"])
            .env("REDIS_KEY_PREFIX", format!("t{}:", Uuid::new_v4().simple()))
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Queued 3 probe event(s)"));
    let rows = sqlx::query_as::<_, (Uuid, String, serde_json::Value)>(
        "SELECT id, event_type, payload FROM outbox WHERE published_at IS NULL ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3);
    for (i, (id, event_type, payload)) in rows.iter().enumerate() {
        assert_eq!(id.get_version_num(), 7, "{id} is not a UUID v7");
        assert_eq!(event_type, types::SYSTEM_PROBE);
        assert_eq!(payload, &json!({"seq": i}), "v7 ids sort in creation order");
    }
}

// ---------------------------------------------------------------------------------------------
// Relay
// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn relay_publishes_persistent_messages_and_marks_rows_published(pool: PgPool) {
    let mq = Mq::new();
    let tap = mq.tap("#").await;
    let events: Vec<Event> = (0..3).map(|i| event(TEST_TYPE, json!({"i": i}))).collect();
    append_committed(&pool, &events).await;

    let stop = CancellationToken::new();
    let task = tokio::spawn(mq.relay(&pool, 10).run(stop.clone()));
    wait_until("the relay to mark the rows published", WAIT, || async { unpublished(&pool).await == 0 }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "relay").await;

    assert_eq!(scalar(&pool, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL").await, 3);
    let got = mq.drain(&tap).await;
    assert_eq!(got.len(), 3, "one message per event");
    for (d, e) in got.iter().zip(&events) {
        let p = &d.properties;
        assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some(e.id.to_string().as_str()), "message_id");
        assert_eq!(p.kind().as_ref().map(|s| s.as_str()), Some(TEST_TYPE), "type");
        assert_eq!(*p.delivery_mode(), Some(2), "persistent");
        assert_eq!(p.content_type().as_ref().map(|s| s.as_str()), Some("application/json"));
        assert_eq!(d.routing_key.as_str(), TEST_TYPE, "routing key = event type");
        let body: Event = serde_json::from_slice(&d.data).unwrap();
        assert_eq!(&body, e, "the body is the event envelope");
    }
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn two_concurrent_relays_publish_each_event_exactly_once(pool: PgPool) {
    let mq = Mq::new();
    let tap = mq.tap("#").await;
    let events: Vec<Event> = (0..500).map(|i| event(TEST_TYPE, json!({"i": i}))).collect();
    append_committed(&pool, &events).await;

    let (stop_a, stop_b) = (CancellationToken::new(), CancellationToken::new());
    let a = tokio::spawn(mq.relay(&pool, 25).run(stop_a.clone()));
    let b = tokio::spawn(mq.relay(&pool, 25).run(stop_b.clone()));
    wait_until("500 events published", Duration::from_secs(30), || async { unpublished(&pool).await == 0 }).await;
    // Give a double publish the chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_a.cancel();
    stop_b.cancel();
    join_within(a, Duration::from_secs(5), "relay a").await;
    join_within(b, Duration::from_secs(5), "relay b").await;

    let got = mq.drain(&tap).await;
    let mut ids: Vec<String> =
        got.iter().map(|d| d.properties.message_id().as_ref().unwrap().as_str().to_owned()).collect();
    assert_eq!(ids.len(), 500, "exactly 500 messages");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 500, "no event published twice");
    let mut expected: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(unpublished(&pool).await, 0);
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_event_nobody_subscribes_to_is_published_to_the_unrouted_queue(pool: PgPool) {
    let mq = Mq::new();
    let lonely = event("nobody.listens", json!({}));
    append_committed(&pool, std::slice::from_ref(&lonely)).await;

    let stop = CancellationToken::new();
    let task = tokio::spawn(mq.relay(&pool, 10).run(stop.clone()));
    wait_until("the unroutable event to be marked published", WAIT, || async { unpublished(&pool).await == 0 }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "relay").await;

    let got = mq.drain(&mq.topology.unrouted_queue()).await;
    assert_eq!(got.len(), 1, "the event went to {} via the alternate exchange", mq.topology.unrouted_queue());
    assert_eq!(got[0].properties.message_id().as_ref().unwrap().as_str(), lonely.id.to_string());
    assert_eq!(got[0].routing_key.as_str(), "nobody.listens");
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn relay_survives_a_broker_side_connection_close(pool: PgPool) {
    let vhost = Vhost::create().await;
    let mq = Mq::with_url(vhost.url());
    let before = event(TEST_TYPE, json!({"when": "before"}));
    append_committed(&pool, std::slice::from_ref(&before)).await;

    // No other connection is opened in this vhost until the relay's one was closed.
    let stop = CancellationToken::new();
    let task = tokio::spawn(mq.relay(&pool, 10).run(stop.clone()));
    wait_until("the first event published", WAIT, || async { unpublished(&pool).await == 0 }).await;
    let relay_conns = connections_in(&vhost.name).await;
    assert_eq!(relay_conns.len(), 1, "the relay's connection: {relay_conns:?}");
    run_rabbitmqctl(&["close_connection", &relay_conns[0], "events_pipeline test: broker-side close"]).await;
    wait_until("the relay's connection to be gone", WAIT, || async {
        !connections_in(&vhost.name).await.contains(&relay_conns[0])
    })
    .await;

    let after = event(TEST_TYPE, json!({"when": "after"}));
    append_committed(&pool, std::slice::from_ref(&after)).await;
    let started = Instant::now();
    wait_until("the event appended after the close to be published", Duration::from_secs(15), || async {
        unpublished(&pool).await == 0
    })
    .await;
    let recovered_in = started.elapsed();
    let now = connections_in(&vhost.name).await;
    assert!(now.len() == 1 && now[0] != relay_conns[0], "the relay reconnected: {now:?}");
    stop.cancel();
    join_within(task, Duration::from_secs(5), "relay").await;

    let got = mq.drain(&mq.topology.unrouted_queue()).await;
    let ids: Vec<String> = got.iter().map(|d| d.properties.message_id().as_ref().unwrap().to_string()).collect();
    assert_eq!(ids, vec![before.id.to_string(), after.id.to_string()]);
    println!("relay republished after a broker-side close in {recovered_in:?}");
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn relay_declares_consumer_queues_so_events_wait_for_a_consumer_not_yet_started(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let early = event(TEST_TYPE, json!({"before": "the consumer ever ran"}));
    append_committed(&pool, std::slice::from_ref(&early)).await;
    let delays = test_settings(5).retry_delays_ms();
    let stop = CancellationToken::new();
    let task = tokio::spawn(mq.relay_declaring(&pool, 10, vec![("late", &[TEST_TYPE])], delays).run(stop.clone()));
    wait_until("the event published", WAIT, || async { unpublished(&pool).await == 0 }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "relay").await;
    assert_eq!(mq.count(&mq.topology.queue("late")).await, 1, "waiting in the consumer's queue");
    assert_eq!(mq.count(&mq.topology.unrouted_queue()).await, 0, "not unrouted");

    let handler = Arc::new(TestHandler::new("late"));
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;
    wait_until("the early event's effect", WAIT, || async { !effects_of(&pool, early.id).await.is_empty() }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;
    assert_eq!(effects_of(&pool, early.id).await, vec![1]);
    mq.handle.close().await;
}

/// CONSUMER_RETRY_BASE_MS is an ordinary setting: redeploying with another value (or running
/// the mailer with other retry settings than the `consumer` mode) must not stop publishing.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn relay_keeps_publishing_after_the_retry_settings_change(pool: PgPool) {
    let mq = Mq::new();
    let old = ConsumerSettings { retry_base: Duration::from_millis(1000), ..test_settings(5) };
    let new = ConsumerSettings { retry_base: Duration::from_millis(2000), ..test_settings(5) };
    let first = event(TEST_TYPE, json!({"deploy": 1}));
    append_committed(&pool, std::slice::from_ref(&first)).await;
    let stop = CancellationToken::new();
    let relay = mq.relay_declaring(&pool, 10, vec![("retuned", &[TEST_TYPE])], old.retry_delays_ms());
    let task = tokio::spawn(relay.run(stop.clone()));
    wait_until("the first deploy's event published", WAIT, || async { unpublished(&pool).await == 0 }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "relay").await;

    // The next deploy doubles the retry base.
    let second = event(TEST_TYPE, json!({"deploy": 2}));
    append_committed(&pool, std::slice::from_ref(&second)).await;
    let stop = CancellationToken::new();
    let relay = mq.relay_declaring(&pool, 10, vec![("retuned", &[TEST_TYPE])], new.retry_delays_ms());
    let task = tokio::spawn(relay.run(stop.clone()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while unpublished(&pool).await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = unpublished(&pool).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "relay").await;
    assert_eq!(
        left,
        0,
        "after CONSUMER_RETRY_BASE_MS changed from 1000 to 2000 the relay published nothing for 10 s: its open() \
         re-declares {} with x-message-ttl 2000 and RabbitMQ refuses (PRECONDITION_FAILED, inequivalent arg \
         'x-message-ttl'), so every batch fails",
        mq.topology.retry_queue("retuned", 2000)
    );
    mq.handle.close().await;
}

// ---------------------------------------------------------------------------------------------
// Consumers
// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_redelivered_event_has_one_effect_and_one_inbox_row(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler::new("dedupe"));
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;

    let twice = event(TEST_TYPE, json!({"dup": true}));
    mq.publish_event(&twice).await;
    mq.publish_event(&twice).await;
    // One consumer takes messages in order: once the sentinel is done, both copies were handled.
    let sentinel = event(TEST_TYPE, json!({"sentinel": true}));
    mq.publish_event(&sentinel).await;
    wait_until("the sentinel's effect", WAIT, || async { !effects_of(&pool, sentinel.id).await.is_empty() }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;

    assert_eq!(effects_of(&pool, twice.id).await, vec![1], "the duplicate had no second effect");
    assert_eq!(inbox_rows(&pool, "dedupe", twice.id).await, 1);
    assert_eq!(handler.attempts_for(twice.id), vec![1], "the duplicate never reached the handler");
    assert_eq!(mq.count(&mq.topology.queue("dedupe")).await, 0, "both copies were acked");
    assert_eq!(mq.count(&mq.topology.dlq("dedupe")).await, 0);
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_transient_failure_is_retried_and_has_one_effect(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler { fail_first: 2, ..TestHandler::new("flaky") });
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;

    let e = event(TEST_TYPE, json!({}));
    mq.publish_event(&e).await;
    wait_until("the third attempt's effect", WAIT, || async { !effects_of(&pool, e.id).await.is_empty() }).await;
    // Long enough for any stray retry (50 ms, 100 ms back-off) to come back.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;

    assert_eq!(handler.attempts_for(e.id), vec![1, 2, 3], "x-attempt progressed through the retry queues");
    assert_eq!(effects_of(&pool, e.id).await, vec![3], "exactly one effect, from the third attempt");
    assert_eq!(inbox_rows(&pool, "flaky", e.id).await, 1);
    let t = &mq.topology;
    assert_eq!(mq.count(&t.dlq("flaky")).await, 0, "nothing parked");
    assert_eq!(mq.count(&t.queue("flaky")).await, 0);
    for d in test_settings(5).retry_delays_ms() {
        assert_eq!(mq.count(&t.retry_queue("flaky", d)).await, 0, "retry queue {d} ms");
    }
    mq.handle.close().await;
}

/// Parked message checks shared by the transient and permanent cases.
async fn assert_parked(mq: &Mq, name: &str, e: &Event, attempts: u32) {
    let parked = mq.drain(&mq.topology.dlq(name)).await;
    assert_eq!(parked.len(), 1, "one parked message");
    let p = &parked[0].properties;
    assert_eq!(p.message_id().as_ref().unwrap().as_str(), e.id.to_string());
    assert_eq!(header_u32(p, ATTEMPT_HEADER), Some(attempts), "x-attempt");
    let err = header_str(p, ERROR_HEADER).unwrap_or_default();
    assert!(
        err.contains("boom:") && err.contains(&e.id.to_string()),
        "x-last-error carries the handler's error: {err:?}"
    );
    assert_eq!(header_str(p, "x-original-queue"), Some(mq.topology.queue(name)));
    assert_eq!(serde_json::from_slice::<Event>(&parked[0].data).unwrap(), *e, "the body is untouched");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_always_failing_handler_parks_the_message_after_max_attempts(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler::broken("doomed", Failure::Transient));
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 3).await;

    let e = event(TEST_TYPE, json!({}));
    mq.publish_event(&e).await;
    let dlq = mq.topology.dlq("doomed");
    wait_until("the message in the DLQ", WAIT, || async { mq.count(&dlq).await == 1 }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;

    assert_eq!(handler.attempts_for(e.id), vec![1, 2, 3]);
    assert_parked(&mq, "doomed", &e, 3).await;
    assert!(effects_of(&pool, e.id).await.is_empty(), "the effect never committed");
    assert_eq!(inbox_rows(&pool, "doomed", e.id).await, 0, "no dedupe record for a failed event");
    let t = &mq.topology;
    assert_eq!(mq.count(&t.queue("doomed")).await, 0, "nothing left in the main queue");
    for d in test_settings(3).retry_delays_ms() {
        assert_eq!(mq.count(&t.retry_queue("doomed", d)).await, 0, "retry queue {d} ms");
    }
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_permanent_error_parks_the_message_after_one_attempt(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler::broken("hopeless", Failure::Permanent));
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;

    let e = event(TEST_TYPE, json!({}));
    mq.publish_event(&e).await;
    let dlq = mq.topology.dlq("hopeless");
    wait_until("the message in the DLQ", WAIT, || async { mq.count(&dlq).await == 1 }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;

    assert_eq!(handler.attempts_for(e.id), vec![1], "no retry for a permanent error");
    assert_parked(&mq, "hopeless", &e, 1).await;
    assert!(effects_of(&pool, e.id).await.is_empty());
    assert_eq!(mq.count(&mq.topology.queue("hopeless")).await, 0);
    assert_eq!(mq.count(&mq.topology.retry_queue("hopeless", test_settings(5).retry_delays_ms()[0])).await, 0);
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_malformed_message_is_parked_and_the_consumer_keeps_going(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler::new("sturdy"));
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;

    let queue = mq.topology.queue("sturdy");
    let props = BasicProperties::default().with_message_id("garbage-1".into()).with_delivery_mode(2);
    mq.publish("", &queue, b"this is { not json", props).await;
    let valid = event(TEST_TYPE, json!({"after": "garbage"}));
    mq.publish_event(&valid).await;
    wait_until("the valid event after the malformed one", WAIT, || async {
        !effects_of(&pool, valid.id).await.is_empty()
    })
    .await;
    let dlq = mq.topology.dlq("sturdy");
    wait_until("the malformed message in the DLQ", WAIT, || async { mq.count(&dlq).await == 1 }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;

    let parked = mq.drain(&dlq).await;
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].data, b"this is { not json".to_vec(), "parked as received");
    assert_eq!(parked[0].properties.message_id().as_ref().unwrap().as_str(), "garbage-1");
    let err = header_str(&parked[0].properties, ERROR_HEADER).unwrap_or_default();
    assert!(err.starts_with("malformed message"), "{err:?}");
    assert_eq!(header_u32(&parked[0].properties, ATTEMPT_HEADER), Some(1), "straight to the DLQ, no retries");
    assert_eq!(handler.calls.lock().unwrap().len(), 1, "only the valid event reached the handler");
    assert_eq!(effects_of(&pool, valid.id).await, vec![1]);
    mq.handle.close().await;
}

async fn cli(mq: &Mq, args: &[&str]) -> (bool, String, String) {
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_helium-cli"))
            .args(args)
            .env("MQ_URL", &mq.url)
            .env("MQ_PREFIX", &mq.prefix)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("helium-cli {args:?} timed out"))
    .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn dlq_cli_lists_without_removing_and_replays_into_a_fixed_handler(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler::broken("parking", Failure::Permanent));
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;
    let e = event(TEST_TYPE, json!({"parked": true}));
    mq.publish_event(&e).await;
    let dlq = mq.topology.dlq("parking");
    wait_until("the message in the DLQ", WAIT, || async { mq.count(&dlq).await == 1 }).await;

    let (ok, stdout, stderr) = cli(&mq, &["dlq", "list", "--queue", "parking"]).await;
    assert!(ok, "dlq list failed: {stderr}");
    let line = stdout.lines().find(|l| l.contains(&e.id.to_string())).unwrap_or_else(|| panic!("{stdout}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        &cols[..4],
        &[dlq.as_str(), TEST_TYPE, e.id.to_string().as_str(), "1"],
        "queue, type, id, attempts: {line}"
    );
    assert!(line.contains("boom: parking cannot handle"), "the error: {line}");
    assert!(stdout.contains("1 parked message(s)"), "{stdout}");
    wait_until("the listed message to stay parked", Duration::from_secs(5), || async { mq.count(&dlq).await == 1 })
        .await;

    handler.broken.store(false, Ordering::SeqCst);
    let (ok, stdout, stderr) = cli(&mq, &["dlq", "replay", "--queue", "parking", "--all"]).await;
    assert!(ok, "dlq replay failed: {stderr}");
    assert!(stdout.contains("Replayed 1 message(s)"), "{stdout}");
    wait_until("the replayed message's effect", WAIT, || async { !effects_of(&pool, e.id).await.is_empty() }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.cancel();
    join_within(task, Duration::from_secs(5), "consumer").await;

    assert_eq!(effects_of(&pool, e.id).await, vec![1], "one effect, with a fresh attempt count");
    assert_eq!(handler.attempts_for(e.id), vec![1, 1]);
    assert_eq!(inbox_rows(&pool, "parking", e.id).await, 1);
    assert_eq!(mq.count(&dlq).await, 0, "the DLQ is empty after the replay");
    assert_eq!(mq.count(&mq.topology.queue("parking")).await, 0);
    let (ok, stdout, _) = cli(&mq, &["dlq", "list", "--queue", "parking"]).await;
    assert!(ok && stdout.contains("0 parked message(s)"), "{stdout}");
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn cancelling_mid_message_finishes_and_acks_it(pool: PgPool) {
    create_effects_table(&pool).await;
    let mq = Mq::new();
    let handler = Arc::new(TestHandler { delay: Duration::from_secs(1), ..TestHandler::new("slow") });
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;

    let e = event(TEST_TYPE, json!({}));
    mq.publish_event(&e).await;
    wait_until("the slow handler to start", WAIT, || async { !handler.attempts_for(e.id).is_empty() }).await;
    assert!(effects_of(&pool, e.id).await.is_empty(), "still in the handler");
    let cancelled = Instant::now();
    stop.cancel();
    join_within(task, Duration::from_secs(10), "consumer").await;
    let drained_in = cancelled.elapsed();

    assert_eq!(effects_of(&pool, e.id).await, vec![1], "the message in hand was finished");
    assert_eq!(inbox_rows(&pool, "slow", e.id).await, 1);
    assert!(drained_in >= Duration::from_millis(500), "the runner waited for the handler ({drained_in:?})");
    let queue = mq.topology.queue("slow");
    assert_eq!(mq.stats(&queue).await, Some((0, 0)), "acked before the channel closed: nothing to redeliver");

    // A restarted consumer gets nothing back: only the sentinel reaches the handler.
    let (stop, task) = mq.start_consumer(&pool, handler.clone(), 5).await;
    let sentinel = event(TEST_TYPE, json!({"sentinel": true}));
    mq.publish_event(&sentinel).await;
    wait_until("the sentinel's effect", WAIT, || async { !effects_of(&pool, sentinel.id).await.is_empty() }).await;
    stop.cancel();
    join_within(task, Duration::from_secs(10), "consumer").await;
    assert_eq!(handler.attempts_for(e.id), vec![1], "not redelivered on restart");
    assert_eq!(effects_of(&pool, e.id).await, vec![1]);
    println!("graceful stop drained the in-hand message in {drained_in:?}");
    mq.handle.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn consumer_names_list_every_consumer(pool: PgPool) {
    let state = crate::support::test_state(pool, &crate::support::redis_prefix());
    let names: Vec<&str> = helium_api::workers::event_consumers(&state).iter().map(|h| h.name()).collect();
    assert_eq!(names, helium_api::workers::CONSUMER_NAMES);
}
