//! The mailer end to end: outbox → relay → RabbitMQ → `mailer` → a real SMTP server
//! (`tests/it/support/smtp_sink.py`, aiosmtpd; needs `deploy/tools/ensure-venv.sh`): rendering,
//! `email_log`, retries, the DLQ and `helium-cli dlq`, config changes, redelivery dedupe.

use crate::support::smtp::SmtpSink;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use helium_domain::events::{EmailRequested, EmailTemplate, Event, types};
use helium_infra::MqHandle;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeleteOptions, QueueDeleteOptions};
use serde_json::json;
use sqlx::PgPool;
use tokio::process::{Child, Command};
use uuid::Uuid;

const HELIUM: &str = env!("CARGO_BIN_EXE_helium");
const HELIUM_CLI: &str = env!("CARGO_BIN_EXE_helium-cli");
const REDIS_URL: &str = "redis://127.0.0.1:6379";
const MQ_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const POLL: Duration = Duration::from_millis(100);
const WAIT: Duration = Duration::from_secs(15);
const LINK: &str = "https://x.test/reset?t=SECRET123";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `check` until it yields a value; panics naming `what`, with helium's log, after WAIT.
async fn eventually<T>(what: &str, helium: &Helium, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {WAIT:?}; helium log:\n{}", helium.log());
        tokio::time::sleep(POLL).await;
    }
}

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helium-{tag}-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map(|()| dir).unwrap()
}

/// Per-test isolation: the test database's URL, a Redis prefix and an MQ prefix. Dropping it
/// deletes the prefix's queues and exchanges (best effort); declare it before any process.
struct TestEnv {
    db_url: String,
    redis_prefix: String,
    mq_prefix: String,
}

impl TestEnv {
    async fn new(pool: &PgPool) -> Self {
        let admin = std::env::var("DATABASE_URL").expect("DATABASE_URL (admin URL) must be set");
        let db: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
        let (base, query) =
            admin.split_once('?').map_or((admin.as_str(), String::new()), |(b, q)| (b, format!("?{q}")));
        let host_end = base.find("://").map_or(0, |i| i + 3);
        let path_start = base[host_end..].find('/').map_or(base.len(), |i| host_end + i);
        Self {
            db_url: format!("{}/{db}{query}", &base[..path_start]),
            redis_prefix: format!("test:{}:", Uuid::new_v4()),
            mq_prefix: format!("t{}", Uuid::new_v4().simple()),
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let p = self.mq_prefix.clone();
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let Ok(conn) = MqHandle::new(MQ_URL).connection().await else { return };
                let mut queues = vec![format!("{p}.unrouted")];
                for c in ["mailer", "probe"] {
                    queues.extend([format!("{p}.{c}"), format!("{p}.{c}.dlq")]);
                    queues.extend((1..=6).map(|n| format!("{p}.{c}.retry.{n}")));
                }
                for name in queues.iter().chain(&[format!("{p}.events"), format!("{p}.events.unrouted")]) {
                    let Ok(ch) = conn.create_channel().await else { continue };
                    let _ = if name.ends_with("events") || name.ends_with("events.unrouted") {
                        ch.exchange_delete(name, ExchangeDeleteOptions::default()).await
                    } else {
                        ch.queue_delete(name, QueueDeleteOptions::default()).await.map(drop)
                    };
                }
                let _ = conn.close(200, "test cleanup").await;
            });
        });
        let _ = cleanup.join();
    }
}

/// `helium` in `all` mode, killed on drop.
struct Helium {
    child: Child,
    dir: PathBuf,
    health_port: u16,
}

impl Helium {
    async fn start(env: &TestEnv, retry_base_ms: u64) -> Self {
        let (health_port, http, grpc) = (free_port(), free_port(), free_port());
        let dir = scratch_dir("mailer-proc");
        let vars = format!(
            "WORK_MODE=all DATABASE_URL={} REDIS_URL={REDIS_URL} MQ_URL={MQ_URL} REDIS_KEY_PREFIX={} MQ_PREFIX={} \
             LISTEN_ADDR=127.0.0.1:{http} GRPC_LISTEN_ADDR=127.0.0.1:{grpc} HEALTH_CHECK_PORT={health_port} \
             CONSUMER_RETRY_BASE_MS={retry_base_ms} CONSUMER_MAX_ATTEMPTS=4 RUST_LOG=info NO_COLOR=1",
            env.db_url, env.redis_prefix, env.mq_prefix
        );
        let child = Command::new(HELIUM)
            .env_clear()
            .envs(vars.split_whitespace().filter_map(|kv| kv.split_once('=')))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut helium = Self { child, dir, health_port };
        // Start-up is complete (config defaults exist) and the mailer queue is bound: events the
        // relay publishes before that binding exists would go to the unrouted queue.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !helium.log().lines().any(|l| l.contains("consumer running") && l.contains("mailer")) {
            if let Some(status) = helium.child.try_wait().unwrap() {
                panic!("helium exited ({status}) during start-up:\n{}", helium.log());
            }
            assert!(Instant::now() < deadline, "helium did not start:\n{}", helium.log());
            tokio::time::sleep(POLL).await;
        }
        helium
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    async fn metric(&self, name: &str, label: &str) -> f64 {
        let url = format!("http://127.0.0.1:{}/metrics", self.health_port);
        let res = reqwest::Client::builder().no_proxy().build().unwrap().get(url).send().await.unwrap();
        res.text()
            .await
            .unwrap()
            .lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains(label))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

impl Drop for Helium {
    fn drop(&mut self) {
        let _ = self.child.start_kill(); // SIGKILL (kill_on_drop would too)
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

type Sink = SmtpSink;

async fn wait_messages(sink: &Sink, n: usize, helium: &Helium) -> Vec<String> {
    eventually(&format!("{n} mail(s) in the sink"), helium, async || Some(sink.messages()).filter(|m| m.len() >= n))
        .await
}

async fn configure_mailer(pool: &PgPool, port: u16, sender: &str) {
    let value =
        json!({"host": "127.0.0.1", "port": port, "username": "", "password": "", "sender": sender, "starttls": false});
    let sql = "UPDATE application__config SET value = $1, version = version + 1 WHERE key = 'mailer'";
    let done = sqlx::query(sql).bind(value).execute(pool).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "the server creates the mailer config at start-up");
}

/// Sink, `helium` (retry base 200 ms), mailer config → sink. `let (env, sink, helium)`: env drops last.
async fn setup(pool: &PgPool, sender: &str) -> (TestEnv, Sink, Helium) {
    let env = TestEnv::new(pool).await;
    let sink = Sink::start(free_port()).await;
    let helium = Helium::start(&env, 200).await;
    configure_mailer(pool, sink.port, sender).await;
    (env, sink, helium)
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Appends an `email.requested` event (password reset) to the outbox, as a service would.
async fn request_email(pool: &PgPool, to: &str) -> Event {
    let context = json!({"link": LINK, "expires_minutes": 30}).as_object().unwrap().clone();
    let payload = EmailRequested {
        to: to.into(),
        template: EmailTemplate::PasswordReset,
        context,
        sealed: None,
        locale: None,
        category: None,
    };
    let payload = serde_json::to_value(payload).unwrap();
    let event = Event::new(Uuid::now_v7(), types::EMAIL_REQUESTED, to, chrono::Utc::now(), payload);
    let mut tx = pool.begin().await.unwrap();
    helium_infra::events::outbox::append(&mut tx, &event).await.unwrap();
    tx.commit().await.unwrap();
    event
}

#[derive(Debug, sqlx::FromRow)]
struct LogRow {
    status: String,
    attempts: i32,
    template: String,
    last_error: Option<String>,
    message_id: Option<String>,
}

async fn email_log(pool: &PgPool, id: Uuid) -> Option<LogRow> {
    let sql = "SELECT status, attempts, template, last_error, message_id FROM email_log WHERE event_id = $1";
    sqlx::query_as(sql).bind(id).fetch_optional(pool).await.unwrap()
}

/// Polls `email_log` until `done` holds for the event's row.
async fn wait_log(pool: &PgPool, id: Uuid, helium: &Helium, done: impl Fn(&LogRow) -> bool) -> LogRow {
    eventually(&format!("email_log of {id}"), helium, async || email_log(pool, id).await.filter(&done)).await
}

/// Runs `helium-cli --mq-url … <args>` with this test's MQ_PREFIX; (exit code, stdout, stderr).
async fn cli(env: &TestEnv, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(HELIUM_CLI)
        .env_clear()
        .env("MQ_PREFIX", &env.mq_prefix)
        .args(["--mq-url", MQ_URL])
        .args(args)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), out).await.expect("helium-cli timed out").unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// Polls `dlq list --queue mailer` until the event's row shows up; returns that row's fields.
async fn wait_parked(env: &TestEnv, id: Uuid, helium: &Helium) -> Vec<String> {
    let id = id.to_string();
    eventually(&format!("{id} in the DLQ"), helium, async || {
        let (code, out, err) = cli(env, &["dlq", "list", "--queue", "mailer"]).await;
        assert_eq!(code, Some(0), "dlq list failed:\n{out}\n{err}");
        assert!(out.matches(&id).count() <= 1, "parked once:\n{out}");
        Some(out.lines().find(|l| l.contains(&id))?.split_whitespace().map(str::to_owned).collect())
    })
    .await
}

// --- a small MIME reader (enough for lettre's multipart/alternative output) ---

pub(crate) fn split_message(raw: &str) -> (String, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    (head.replace("\n ", " ").replace("\n\t", " "), body.to_owned())
}

pub(crate) fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

fn decode_base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64 character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn decode_quoted_printable(s: &str) -> Vec<u8> {
    let s = s.replace("=\n", ""); // soft line breaks
    let mut chunks = s.split('=');
    let mut out = chunks.next().unwrap_or_default().as_bytes().to_vec();
    for chunk in chunks {
        match chunk.get(..2).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => out.extend(std::iter::once(byte).chain(chunk.bytes().skip(2))),
            None => out.extend(std::iter::once(b'=').chain(chunk.bytes())),
        }
    }
    out
}

/// The decoded parts of a multipart message: (content type, text).
pub(crate) fn parts(raw: &str) -> Vec<(String, String)> {
    let (head, body) = split_message(raw);
    let ctype = header(&head, "Content-Type").unwrap();
    assert!(ctype.starts_with("multipart/alternative"), "{ctype}");
    let boundary = ctype.split("boundary=").nth(1).unwrap().trim_matches('"').to_owned();
    body.split(&format!("--{boundary}"))
        .filter(|p| !p.trim().is_empty() && !p.starts_with("--"))
        .map(|p| {
            let (head, body) = split_message(p.trim_start_matches('\n'));
            let cte = header(&head, "Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
            let bytes = match cte.as_str() {
                "base64" => decode_base64(&body),
                "quoted-printable" => decode_quoted_printable(&body),
                _ => body.into_bytes(),
            };
            (header(&head, "Content-Type").unwrap(), String::from_utf8(bytes).unwrap())
        })
        .collect()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn sends_a_templated_email_through_real_smtp(pool: PgPool) {
    let (_env, sink, helium) = setup(&pool, "Helium Test <noreply@helium.test>").await;
    let event = request_email(&pool, "alice@example.test").await;

    let raw = wait_messages(&sink, 1, &helium).await.remove(0);
    let (head, _) = split_message(&raw);
    assert_eq!(header(&head, "Subject").as_deref(), Some("Reset your Helium Test password"), "{head}");
    assert_eq!(header(&head, "To").as_deref(), Some("alice@example.test"), "{head}");
    let from = header(&head, "From").unwrap();
    assert!(from.contains("Helium Test") && from.contains("<noreply@helium.test>"), "{from}");
    assert!(header(&head, "Message-ID").unwrap().contains(&event.id.to_string()), "{head}");
    let parts = parts(&raw);
    assert_eq!(parts.len(), 2, "{raw}");
    assert!(parts[0].0.starts_with("text/plain") && parts[1].0.starts_with("text/html"), "{parts:?}");
    for (ctype, text) in &parts {
        assert!(text.contains(LINK), "{ctype} lacks the link:\n{text}");
        assert!(text.contains("30 minutes"), "{ctype}:\n{text}");
    }

    let row = wait_log(&pool, event.id, &helium, |r| r.status == "sent").await;
    assert_eq!((row.attempts, row.template.as_str()), (1, "password_reset"), "{row:?}");
    assert_eq!(row.message_id.as_deref(), Some(event.id.to_string().as_str()), "{row:?}");
    let columns = "SELECT count(*) FROM information_schema.columns WHERE table_name = 'email_log' \
                   AND column_name LIKE '%body%'";
    assert_eq!(count(&pool, columns).await, 0, "email_log must never store bodies");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn mail_waits_for_the_smtp_server_and_arrives_exactly_once(pool: PgPool) {
    let env = TestEnv::new(&pool).await;
    // Back-off 500 ms (retries after 0.5, 1, 2 s): time for the sink to start before the last try.
    let helium = Helium::start(&env, 500).await;
    let port = free_port(); // nothing listens there yet
    configure_mailer(&pool, port, "noreply@helium.test").await;
    let event = request_email(&pool, "alice@example.test").await;

    let row = wait_log(&pool, event.id, &helium, |r| r.status == "retrying").await;
    assert!(row.attempts >= 1 && row.last_error.is_some(), "{row:?}");
    let sink = Sink::start(port).await;
    wait_messages(&sink, 1, &helium).await;
    let row = wait_log(&pool, event.id, &helium, |r| r.status == "sent").await;
    assert!(row.attempts >= 2, "{row:?}");
    // A few more retry periods: nothing is sent twice.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(email_log(&pool, event.id).await.unwrap().status, "sent");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn permanent_failure_is_parked_without_retry_and_replay_works(pool: PgPool) {
    let (env, sink, helium) = setup(&pool, "noreply@helium.test").await;
    let event = request_email(&pool, "reject-bob@example.test").await;

    let row = wait_log(&pool, event.id, &helium, |r| r.status == "failed").await;
    assert_eq!(row.attempts, 1, "a 5xx is not retried: {row:?}");
    assert!(row.last_error.as_deref().unwrap_or_default().contains("550"), "{row:?}");
    let parked = wait_parked(&env, event.id, &helium).await;
    assert_eq!(parked[0], format!("{}.mailer.dlq", env.mq_prefix), "{parked:?}");
    assert_eq!((parked[1].as_str(), parked[3].as_str()), ("email.requested", "1"), "{parked:?}");
    assert!(parked[4..].join(" ").contains("550"), "the error is listed: {parked:?}");

    let id = event.id.to_string();
    let (code, out, err) = cli(&env, &["dlq", "replay", "--queue", "mailer", "--id", &id]).await;
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("Replayed 1"), "{out}");
    // Processed again, failed again, parked again.
    let row = wait_log(&pool, event.id, &helium, |r| r.attempts == 2 && r.status == "failed").await;
    assert!(row.last_error.unwrap().contains("550"));
    let parked = wait_parked(&env, event.id, &helium).await;
    assert_eq!(parked[3], "1", "{parked:?}");
    assert!(sink.messages().is_empty());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn transient_failure_retries_up_to_max_attempts_then_parks(pool: PgPool) {
    let (env, sink, helium) = setup(&pool, "noreply@helium.test").await;
    let event = request_email(&pool, "tempfail-carol@example.test").await;

    let row = wait_log(&pool, event.id, &helium, |r| r.status == "failed").await;
    assert_eq!(row.attempts, 4, "{row:?}");
    assert!(row.last_error.as_deref().unwrap_or_default().contains("451"), "{row:?}");
    let parked = wait_parked(&env, event.id, &helium).await;
    assert_eq!(parked[3], "4", "x-attempt of the parked message: {parked:?}");
    assert!(parked[4..].join(" ").contains("451"), "{parked:?}");
    assert!(sink.messages().is_empty());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn config_change_is_picked_up_without_restart(pool: PgPool) {
    let env = TestEnv::new(&pool).await;
    let (sink_a, sink_b) = (Sink::start(free_port()).await, Sink::start(free_port()).await);
    let helium = Helium::start(&env, 200).await;
    configure_mailer(&pool, sink_a.port, "noreply@helium.test").await;
    request_email(&pool, "alice@example.test").await;
    wait_messages(&sink_a, 1, &helium).await;

    configure_mailer(&pool, sink_b.port, "noreply@helium.test").await;
    let changed = Instant::now();
    // ConfigStore's documented staleness bound (Redis TTL 3 s + local TTL 1 s < 5 s).
    tokio::time::sleep(Duration::from_secs(5)).await;
    request_email(&pool, "alice@example.test").await;
    assert_eq!(wait_messages(&sink_b, 1, &helium).await.len(), 1);
    assert!(changed.elapsed() < Duration::from_secs(11), "took {:?}", changed.elapsed());
    assert_eq!(sink_a.messages().len(), 1, "the second mail must not go to the old server");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn redelivered_event_has_no_second_effect(pool: PgPool) {
    let (env, sink, helium) = setup(&pool, "noreply@helium.test").await;
    let event = request_email(&pool, "alice@example.test").await;
    wait_messages(&sink, 1, &helium).await;
    wait_log(&pool, event.id, &helium, |r| r.status == "sent").await;

    // The same message again, twice, straight to the exchange (as a relay crash would).
    let mq = MqHandle::new(MQ_URL);
    let ch = mq.connection().await.unwrap().create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default()).await.unwrap();
    let body = serde_json::to_vec(&event).unwrap();
    let exchange = format!("{}.events", env.mq_prefix);
    let (props, options) = (helium_infra::events::relay::properties(&event), BasicPublishOptions::default());
    for _ in 0..2 {
        let confirm = ch.basic_publish(&exchange, types::EMAIL_REQUESTED, options, &body, props.clone()).await.unwrap();
        assert!(confirm.await.unwrap().is_ack());
    }
    mq.close().await;

    eventually("2 duplicates counted", &helium, async || {
        let n = helium.metric("consumer_duplicates_total", "consumer=\"mailer\"").await;
        (n >= 2.0).then_some(())
    })
    .await;
    assert_eq!(sink.messages().len(), 1);
    let inbox = format!("SELECT count(*) FROM consumer_inbox WHERE consumer = 'mailer' AND event_id = '{}'", event.id);
    assert_eq!(count(&pool, &inbox).await, 1);
    let row = email_log(&pool, event.id).await.unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 1), "{row:?}");
}
