//! `cron_executor`: one leader runs the registered jobs every SCAN_INTERVAL.
//!
//! Leadership is a session-level PostgreSQL advisory lock held on a dedicated connection
//! (`CRON_DATABASE_URL`, else DATABASE_URL). That connection must reach PostgreSQL directly:
//! a transaction-mode pooler (PgBouncer, HeliosProxy) would hand the session to others and
//! the lock would not mean anything. Standbys retry every min(SCAN_INTERVAL, 5 s); when the
//! leader dies its connection closes, PostgreSQL releases the lock, and a standby takes over.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use helium_domain::config::{ConfigKind, ModuleConfig};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio_util::sync::CancellationToken;

use crate::ConfigStore;
use crate::db::{Db, ex};
use crate::events::relay::sleep_or_stop;

/// Advisory lock key of the cron leader ("HELIUM" + 1).
pub const LEADER_LOCK_KEY: i64 = 0x4845_4c49_554d_0001;
/// Rows per statement, and statements per job per wake: jobs work in bounded batches.
pub const BATCH: i64 = 1000;
pub const MAX_BATCHES: u32 = 50;

pub struct JobContext {
    pub db: Db,
    pub config: ConfigStore,
    /// The data key (the audit chain is keyed with it).
    pub keys: crate::identity::keyring::DataKey,
}

/// An idempotent periodic job; returns how many rows it handled.
#[async_trait::async_trait]
pub trait Job: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64>;
}

pub struct CronExecutor {
    pub ctx: JobContext,
    pub leader_options: PgConnectOptions,
    pub interval: Duration,
    pub jobs: Vec<Arc<dyn Job>>,
}

impl CronExecutor {
    /// Runs every job once; a failing job is logged and counted and never stops the others.
    pub async fn run_jobs(&self) {
        for job in &self.jobs {
            let started = std::time::Instant::now();
            match job.run(&self.ctx).await {
                Ok(rows) => {
                    metrics::counter!("cron_job_runs_total", "job" => job.name()).increment(1);
                    metrics::counter!("cron_job_rows_total", "job" => job.name()).increment(rows);
                    tracing::info!(
                        job = job.name(),
                        rows,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "cron job done"
                    );
                }
                Err(e) => {
                    metrics::counter!("cron_job_failures_total", "job" => job.name()).increment(1);
                    tracing::error!(job = job.name(), error = %format!("{e:#}"), "cron job failed");
                }
            }
        }
    }

    async fn try_lead(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar!(r#"SELECT pg_try_advisory_lock($1) AS "locked!""#, LEADER_LOCK_KEY).fetch_one(conn).await
    }

    pub async fn run(self, stop: CancellationToken) -> anyhow::Result<()> {
        metrics::gauge!("helium_cron_leader").set(0.0);
        let standby_poll = self.interval.min(Duration::from_secs(5));
        while !stop.is_cancelled() {
            let mut conn = match self.leader_options.connect().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "cron cannot open its leader connection");
                    sleep_or_stop(standby_poll, &stop).await;
                    continue;
                }
            };
            // Standby until the lock is ours (or the connection breaks).
            let leading = loop {
                match Self::try_lead(&mut conn).await {
                    Ok(true) => break true,
                    Ok(false) => {
                        tracing::debug!("cron standby: another instance leads");
                        sleep_or_stop(standby_poll, &stop).await;
                        if stop.is_cancelled() {
                            break false;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cron leader connection failed");
                        break false;
                    }
                }
            };
            if !leading {
                let _ = conn.close().await;
                continue;
            }
            metrics::gauge!("helium_cron_leader").set(1.0);
            tracing::info!(interval_s = self.interval.as_secs(), jobs = self.jobs.len(), "cron leader elected");
            while !stop.is_cancelled() {
                self.run_jobs().await;
                sleep_or_stop(self.interval, &stop).await;
                if let Err(e) = conn.ping().await {
                    // The lock died with the session: step down and compete again.
                    tracing::warn!(error = %e, "cron lost its leader connection; stepping down");
                    break;
                }
            }
            metrics::gauge!("helium_cron_leader").set(0.0);
            let _ = sqlx::query_scalar!(r#"SELECT pg_advisory_unlock($1)"#, LEADER_LOCK_KEY).fetch_one(&mut conn).await;
            let _ = conn.close().await;
        }
        Ok(())
    }
}

/// Runs a bounded batched DELETE, each batch in its own short transaction (locks held
/// briefly, pooler-safe), until one removes fewer than a full batch.
pub(crate) async fn in_batches<F>(db: &Db, step: F) -> anyhow::Result<u64>
where
    F: for<'c> Fn(&'c mut PgConnection) -> BoxFuture<'c, Result<u64, sqlx::Error>>,
{
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let mut tx = db.begin().await?;
        let n = step(&mut tx).await?;
        tx.commit().await?;
        total += n;
        if n < BATCH as u64 {
            break;
        }
    }
    Ok(total)
}

async fn purge_customer_tokens(c: &mut PgConnection, kind: &str, keep_secs: f64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM auth.one_time_tokens WHERE token_hash IN (SELECT token_hash FROM auth.one_time_tokens
           WHERE kind = $1 AND created_at < now() - make_interval(secs => $2) LIMIT $3)"#,
        kind,
        keep_secs,
        BATCH
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected())
}

/// Staff setup links (24 h) nobody redeemed: gone a day after they expired.
async fn purge_staff_links(c: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM staff.one_time_tokens WHERE token_hash IN (SELECT token_hash FROM staff.one_time_tokens
           WHERE expires_at < now() - interval '1 day' LIMIT $1)"#,
        BATCH
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected())
}

/// Deletes magic links and e-mail codes older than the auth config's `*_delete_before`, and
/// expired staff setup links.
pub struct PurgeOneTimeTokens;

#[async_trait::async_trait]
impl Job for PurgeOneTimeTokens {
    fn name(&self) -> &'static str {
        "purge_one_time_tokens"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        let ModuleConfig::Auth(auth) = ctx.config.module(ConfigKind::Auth).await? else {
            anyhow::bail!("auth config has the wrong shape");
        };
        let mut total = 0;
        for (kind, keep) in [
            ("otp", auth.email_provider.delete_otp_before.0),
            ("magic_link", auth.email_provider.magic_link_delete_before.0),
        ] {
            let keep = keep as f64;
            total += in_batches(&ctx.db, |c| Box::pin(purge_customer_tokens(c, kind, keep))).await?;
        }
        total += in_batches(&ctx.db, |c| Box::pin(purge_staff_links(c))).await?;
        Ok(total)
    }
}

/// Deletes outbox rows published more than 7 days ago, and e-mail requests an hour after
/// they were published.
pub struct PurgePublishedOutbox;

#[async_trait::async_trait]
impl Job for PurgePublishedOutbox {
    fn name(&self) -> &'static str {
        "purge_published_outbox"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        use crate::events::outbox;
        let email = helium_domain::events::types::EMAIL_REQUESTED;
        let mut total = in_batches(&ctx.db, |c| Box::pin(outbox::purge_published_of(c, email, 60, BATCH))).await?;
        total += in_batches(&ctx.db, |c| Box::pin(outbox::purge_published(c, 7, BATCH))).await?;
        Ok(total)
    }
}

/// Deletes consumer dedupe records after 30 days (far beyond any retry or replay horizon).
pub struct PurgeConsumerInbox;

#[async_trait::async_trait]
impl Job for PurgeConsumerInbox {
    fn name(&self) -> &'static str {
        "purge_consumer_inbox"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        in_batches(&ctx.db, |c| Box::pin(crate::events::outbox::purge_inbox(c, 30, BATCH))).await
    }
}

/// Deletes idempotency records past their retention.
pub struct PurgeIdempotencyKeys;

#[async_trait::async_trait]
impl Job for PurgeIdempotencyKeys {
    fn name(&self) -> &'static str {
        "purge_idempotency_keys"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        in_batches(&ctx.db, |c| Box::pin(crate::idempotency::purge_expired(c, BATCH))).await
    }
}

/// A job that runs less often than the cron wakes: `due()` says yes once per `period`.
#[derive(Debug)]
pub struct Every {
    period: Duration,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Every {
    pub const fn new(period: Duration) -> Self {
        Self { period, last: std::sync::Mutex::new(None) }
    }

    /// True when the period has passed since the last `true` (or never was); then restarts it.
    pub fn due(&self) -> bool {
        let Ok(mut last) = self.last.lock() else { return false };
        if last.is_some_and(|t| t.elapsed() < self.period) {
            return false;
        }
        *last = Some(std::time::Instant::now());
        true
    }
}

/// Recomputes the audit log's hash chain at most once an hour; a break sets
/// `helium_audit_chain_broken` to 1 (alerted on) and is logged with the first broken row.
pub struct VerifyAuditChain {
    every: Every,
}

impl Default for VerifyAuditChain {
    fn default() -> Self {
        Self { every: Every::new(Duration::from_secs(3600)) }
    }
}

#[async_trait::async_trait]
impl Job for VerifyAuditChain {
    fn name(&self) -> &'static str {
        "verify_audit_chain"
    }

    async fn run(&self, ctx: &JobContext) -> anyhow::Result<u64> {
        if !self.every.due() {
            return Ok(0);
        }
        match crate::audit::check_chain(&ctx.db, &ctx.keys).await? {
            crate::audit::ChainCheck::Intact { rows } => Ok(rows),
            crate::audit::ChainCheck::Broken { id, seq } => {
                anyhow::bail!("audit chain broken at row {id} (seq {seq})")
            }
        }
    }
}

/// The jobs every deployment runs; later domains append theirs.
pub fn builtin_jobs() -> Vec<Arc<dyn Job>> {
    vec![
        Arc::new(PurgeOneTimeTokens),
        Arc::new(PurgePublishedOutbox),
        Arc::new(PurgeConsumerInbox),
        Arc::new(PurgeIdempotencyKeys),
        Arc::new(VerifyAuditChain::default()),
    ]
}
