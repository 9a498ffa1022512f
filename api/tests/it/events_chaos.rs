//! The pipeline's chaos test: the real `helium` binary in `consumer` mode (outbox relay + the
//! `system.probe` consumer) is SIGKILLed at random points while 1,000 probe events flow, and
//! restarted each time; once, only its RabbitMQ connection is closed from the broker side.
//! Every event must end up with exactly one effect, one dedupe record, published, and nothing
//! parked. The run's figures (seed, kill points, duplicates seen) are printed; replay a run
//! with `CHAOS_SEED=<seed>`.
//!
//! Isolation: fresh database, a throw-away RabbitMQ virtual host (so every connection in it is
//! the child's, and deleting it removes all queues and exchanges), unique MQ_PREFIX and
//! REDIS_KEY_PREFIX, free ports.

use std::fs::OpenOptions;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use helium_infra::MqHandle;
use helium_infra::events::Topology;
use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use sqlx::PgPool;
use uuid::Uuid;

const AMQP_BASE: &str = "amqp://guest:guest@127.0.0.1:5672";
const TOTAL: i64 = 1_000;
const BATCHES: usize = 5;
const BATCH: i64 = TOTAL / BATCHES as i64;
/// The whole test must stay well under three minutes.
const BUDGET: Duration = Duration::from_secs(150);

/// xorshift64*: small, seedable, good enough to pick kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn rabbitmqctl(args: &[&str]) -> String {
    let out = Command::new("rabbitmqctl").args(args).output().unwrap_or_else(|e| panic!("rabbitmqctl: {e}"));
    assert!(out.status.success(), "rabbitmqctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn connections_in(vhost: &str) -> Vec<String> {
    rabbitmqctl(&["list_connections", "-q", "--no-table-headers", "vhost", "pid"])
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

struct Vhost(String);

impl Drop for Vhost {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["delete_vhost", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Everything a `helium` child needs; every restart reuses it (new ports each time).
struct Setup {
    db_url: String,
    mq_url: String,
    prefix: String,
    redis_prefix: String,
    log: PathBuf,
}

/// A running `helium` child; killed on drop.
struct Helium {
    child: Child,
    health_port: u16,
}

impl Drop for Helium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Setup {
    fn spawn(&self) -> Helium {
        let log = OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let health_port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_helium"))
            .env("WORK_MODE", "consumer")
            .env("DATABASE_URL", &self.db_url)
            .env("REDIS_URL", "redis://127.0.0.1:6379")
            .env("REDIS_KEY_PREFIX", &self.redis_prefix)
            .env("MQ_URL", &self.mq_url)
            .env("MQ_PREFIX", &self.prefix)
            .env("LISTEN_ADDR", format!("127.0.0.1:{}", free_port()))
            .env("GRPC_LISTEN_ADDR", format!("127.0.0.1:{}", free_port()))
            .env("HEALTH_CHECK_PORT", health_port.to_string())
            .env("RELAY_BATCH", "100")
            .env("CONSUMER_PREFETCH", "20")
            .env("LOG_FORMAT", "text")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Helium { child, health_port }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Helium {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.health_port)
    }

    /// Waits (bounded) until /readyz says ok: database, Redis and RabbitMQ reachable.
    async fn wait_ready(&mut self, setup: &Setup) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("helium exited during start-up ({status}):\n{}", setup.log_tail());
            }
            if let Ok(res) = client.get(self.url("/readyz")).send().await
                && res.status() == 200
            {
                return;
            }
            assert!(Instant::now() < deadline, "helium not ready within 30 s:\n{}", setup.log_tail());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A counter of the `probe` consumer (or the relay) from /metrics; 0 when not yet recorded.
    async fn metric(&self, name: &str) -> u64 {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        let Ok(res) = client.get(self.url("/metrics")).send().await else { return 0 };
        let text = res.text().await.unwrap_or_default();
        text.lines()
            .filter(|l| l.starts_with(name) && (l[name.len()..].starts_with(' ') || l.contains("consumer=\"probe\"")))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .map(|v| v as u64)
            .sum()
    }

    /// SIGTERM, then wait (bounded) for the exit code.
    async fn terminate(&mut self, limit: Duration) -> Option<i32> {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "helium did not exit within {limit:?} of SIGTERM");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

async fn consumed(pool: &PgPool) -> i64 {
    scalar(pool, "SELECT count(*) FROM probe_receipts").await
}

async fn published(pool: &PgPool) -> i64 {
    scalar(pool, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL").await
}

/// `helium-cli events probe --count n`: n events in one transaction.
async fn queue_probes(setup: &Setup, n: i64) {
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_helium-cli"))
            .args(["--skip-migration", "--database-url", &setup.db_url, "events", "probe", "--count", &n.to_string()])
            .env("REDIS_KEY_PREFIX", &setup.redis_prefix)
            .output(),
    )
    .await
    .expect("helium-cli events probe timed out")
    .unwrap();
    assert!(out.status.success(), "events probe: {}", String::from_utf8_lossy(&out.stderr));
}

/// Ready messages in `queue` of the test's vhost.
async fn queue_depth(mq: &MqHandle, queue: &str) -> u32 {
    let ch = mq.connection().await.unwrap().create_channel().await.unwrap();
    let opts = QueueDeclareOptions { passive: true, ..Default::default() };
    let q = ch.queue_declare(queue, opts, FieldTable::default()).await.unwrap_or_else(|e| panic!("{queue}: {e}"));
    let _ = ch.close(200, "depth").await;
    q.message_count()
}

#[derive(Debug)]
struct Kill {
    at_ms: u128,
    trigger: String,
    queued: i64,
    published: i64,
    consumed: i64,
    duplicates_seen: u64,
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn sigkilled_consumers_and_dropped_connections_leave_exactly_one_effect_per_event(pool: PgPool) {
    let started = Instant::now();
    let seed = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    println!("chaos seed: {seed} (replay with CHAOS_SEED={seed})");
    let mut rng = Rng(seed);

    let db: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let vhost = Vhost(format!("t{}", Uuid::new_v4().simple()));
    rabbitmqctl(&["add_vhost", &vhost.0]);
    rabbitmqctl(&["set_permissions", "-p", &vhost.0, "guest", ".*", ".*", ".*"]);
    let prefix = format!("t{}", Uuid::new_v4().simple());
    let setup = Setup {
        db_url: format!("postgres://postgres@127.0.0.1:5432/{db}"),
        mq_url: format!("{AMQP_BASE}/{}", vhost.0),
        prefix: prefix.clone(),
        redis_prefix: format!("{prefix}:"),
        log: std::env::temp_dir().join(format!("helium-chaos-{prefix}.log")),
    };
    println!("helium logs: {}", setup.log.display());

    let mut helium = setup.spawn();
    helium.wait_ready(&setup).await;
    let mut kills: Vec<Kill> = Vec::new();
    let mut restarts = 0;
    let mut duplicates_total = 0u64;
    let mut connection_close: Option<String> = None;

    for round in 0..BATCHES {
        let queued = BATCH * (round as i64 + 1);
        if round == 2 {
            // Broker-side close of the child's connection(s) while half of this batch flows;
            // the other half is queued after the close, so relay and consumer must both have
            // reconnected on their own (same process, no restart) for the batch to complete.
            let conns = connections_in(&vhost.0);
            assert!(!conns.is_empty(), "the child has a connection in {}", vhost.0);
            queue_probes(&setup, BATCH / 2).await;
            let before = consumed(&pool).await;
            for pid in &conns {
                rabbitmqctl(&["close_connection", pid, "chaos test: broker-side close"]);
            }
            let closed_at = started.elapsed().as_millis();
            let at_close = consumed(&pool).await;
            let deadline = Instant::now() + Duration::from_secs(20);
            while connections_in(&vhost.0).iter().any(|c| conns.contains(c)) {
                assert!(Instant::now() < deadline, "the closed connection is still listed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let after_close = consumed(&pool).await;
            queue_probes(&setup, BATCH - BATCH / 2).await;
            let deadline = Instant::now() + Duration::from_secs(20);
            while !(published(&pool).await == queued && consumed(&pool).await > after_close) {
                assert!(
                    helium.child.try_wait().unwrap().is_none(),
                    "helium exited after the connection close:\n{}",
                    setup.log_tail()
                );
                assert!(
                    Instant::now() < deadline,
                    "no recovery within 20 s of the connection close:\n{}",
                    setup.log_tail()
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            connection_close = Some(format!(
                "closed {} connection(s) at {closed_at} ms with {before}/{} consumed when rabbitmqctl started and {at_close} \
                 when it returned; {after_close} consumed once the broker no longer listed it; the next {} events were \
                 published and consumption resumed without a restart (published {}/{queued}, consumed {} at {} ms)",
                conns.len(),
                queued - BATCH + BATCH / 2,
                BATCH - BATCH / 2,
                published(&pool).await,
                consumed(&pool).await,
                started.elapsed().as_millis()
            ));
        } else {
            queue_probes(&setup, BATCH).await;
        }

        // Kill at a random point of the flow: after a random share of the backlog was
        // consumed, or after a random delay.
        let now_consumed = consumed(&pool).await;
        let trigger = if rng.next().is_multiple_of(2) {
            let frac = rng.range(5, 96) as i64;
            let target = now_consumed + (queued - now_consumed) * frac / 100;
            let deadline = Instant::now() + Duration::from_secs(5);
            while consumed(&pool).await < target && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            format!("{frac}% of the backlog after batch {} consumed", round + 1)
        } else {
            let delay = rng.range(0, 400);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            format!("{delay} ms after queueing batch {}", round + 1)
        };
        let duplicates_seen = helium.metric("consumer_duplicates_total").await;
        helium.child.kill().unwrap();
        let _ = helium.child.wait();
        duplicates_total += duplicates_seen;
        kills.push(Kill {
            at_ms: started.elapsed().as_millis(),
            trigger,
            queued,
            published: published(&pool).await,
            consumed: consumed(&pool).await,
            duplicates_seen,
        });

        helium = setup.spawn();
        restarts += 1;
        helium.wait_ready(&setup).await;
        assert!(started.elapsed() < BUDGET, "chaos phase over budget");
    }

    // Drain: everything published and consumed (bounded).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (p, c) = (published(&pool).await, consumed(&pool).await);
        if p == TOTAL && c == TOTAL {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not drained: published {p}/{TOTAL}, consumed {c}/{TOTAL}\n{}",
            setup.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let drained_ms = started.elapsed().as_millis();
    let mq = MqHandle::new(setup.mq_url.clone());
    let topology = Topology::new(prefix.clone());
    let main_queue = topology.queue("probe");
    let deadline = Instant::now() + Duration::from_secs(15);
    while queue_depth(&mq, &main_queue).await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let final_duplicates = helium.metric("consumer_duplicates_total").await;
    let final_processed = helium.metric("consumer_processed_total").await;
    duplicates_total += final_duplicates;
    let exit = helium.terminate(Duration::from_secs(35)).await;
    drop(helium);

    let receipts = scalar(&pool, "SELECT count(*) FROM probe_receipts").await;
    let double_effects = scalar(&pool, "SELECT count(*) FROM probe_receipts WHERE effects <> 1").await;
    let max_effects = scalar(&pool, "SELECT coalesce(max(effects), 0)::bigint FROM probe_receipts").await;
    let inbox = scalar(&pool, "SELECT count(*) FROM consumer_inbox WHERE consumer = 'probe'").await;
    let outbox_total = scalar(&pool, "SELECT count(*) FROM outbox").await;
    let unpublished = scalar(&pool, "SELECT count(*) FROM outbox WHERE published_at IS NULL").await;
    let orphans = scalar(
        &pool,
        "SELECT count(*) FROM probe_receipts r WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = r.event_id)",
    )
    .await;
    let dlq_depth = queue_depth(&mq, &topology.dlq("probe")).await;
    let leftover = queue_depth(&mq, &main_queue).await;
    mq.close().await;

    println!("--- chaos run figures ---");
    println!("seed: {seed}");
    for (i, k) in kills.iter().enumerate() {
        println!(
            "kill {}: at {} ms, trigger: {}; at the kill: queued {}, published {}, consumed {}; duplicates seen by that process: {}",
            i + 1,
            k.at_ms,
            k.trigger,
            k.queued,
            k.published,
            k.consumed,
            k.duplicates_seen
        );
    }
    println!("connection close: {}", connection_close.as_deref().unwrap_or("not done"));
    println!("restarts: {restarts}");
    println!(
        "all {TOTAL} published and consumed at {drained_ms} ms; total duration {} ms",
        started.elapsed().as_millis()
    );
    println!(
        "redelivered events that reached the dedupe check (consumer_duplicates_total, summed over processes): {duplicates_total}"
    );
    println!(
        "final process: processed {final_processed}, duplicates {final_duplicates}, exit code on SIGTERM {exit:?}"
    );
    println!(
        "receipts {receipts}, max effects {max_effects}, inbox rows {inbox}, outbox rows {outbox_total}, unpublished {unpublished}, \
         DLQ depth {dlq_depth}, main queue leftover {leftover}"
    );

    assert_eq!(kills.len(), BATCHES, "at least five SIGKILLs");
    assert!(connection_close.is_some());
    assert_eq!(outbox_total, TOTAL);
    assert_eq!(receipts, TOTAL, "exactly one receipt per event");
    assert_eq!(double_effects, 0, "no event had a second effect (max effects {max_effects})");
    assert_eq!(orphans, 0);
    assert_eq!(inbox, TOTAL, "one dedupe record per event");
    assert_eq!(unpublished, 0, "nothing left unpublished");
    assert_eq!(dlq_depth, 0, "nothing parked in {}", topology.dlq("probe"));
    assert_eq!(exit, Some(0), "the last process stopped cleanly");
    assert!(started.elapsed() < Duration::from_secs(180), "over the three-minute budget");
    let _ = std::fs::remove_file(&setup.log);
}
