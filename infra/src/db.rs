//! PostgreSQL: the pool, embedded migrations, and the one way use cases reach the database.
//!
//! Rules every service follows (ISSUE: a request holding a pooled connection while waiting for
//! a second one deadlocks the pool under load):
//! - a use case takes ONE connection ([`Db::conn`]) or ONE transaction ([`Db::begin`],
//!   [`transaction!`](crate::transaction)) and passes it down; store functions take
//!   `&mut PgConnection` and never touch the pool;
//! - every query runs through [`ex`], which keeps statements unnamed when a transaction-mode
//!   pooler sits in front of PostgreSQL (`DATABASE_STATEMENT_CACHE=0`);
//! - database errors convert once, here, into `DomainError` (pool exhausted → 503, lost
//!   serialization race → retried, the rest → 500 without details).

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use helium_domain::DomainError;
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgQueryResult, PgRow, PgStatement};
use sqlx::{Describe, Either, Execute, Executor, PgConnection, Postgres, Transaction};

/// Every migration under `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// How long a use case may wait for a pooled connection before the request is refused (503).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct DbSettings {
    pub url: String,
    /// A streaming replica (DATABASE_READ_URL) for reads that tolerate its lag.
    pub read_url: Option<String>,
    pub max_connections: u32,
    /// Prepared-statement cache per connection; 0 disables named prepared statements so
    /// Helium works behind a transaction-mode pooler (PgBouncer, HeliosProxy).
    pub statement_cache: usize,
}

impl DbSettings {
    pub fn connect_options(&self) -> Result<PgConnectOptions, sqlx::Error> {
        self.options_for(&self.url, "helium")
    }

    fn options_for(&self, url: &str, application: &str) -> Result<PgConnectOptions, sqlx::Error> {
        Ok(PgConnectOptions::from_str(url)?
            .statement_cache_capacity(self.statement_cache)
            .application_name(application))
    }

    /// The replica's pool (connected on first use), when DATABASE_READ_URL is set. Its
    /// sessions are named `helium-replica` in `pg_stat_activity`.
    pub fn lazy_read_pool(&self) -> Result<Option<PgPool>, sqlx::Error> {
        let Some(url) = &self.read_url else { return Ok(None) };
        Ok(Some(self.pool_options().connect_lazy_with(self.options_for(url, "helium-replica")?)))
    }

    fn pool_options(&self) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(Some(Duration::from_secs(300)))
    }

    /// A pool that connects on first use, so a process can start (and report "not ready")
    /// while the database is down. Also sets the process-wide statement mode.
    pub fn lazy_pool(&self) -> Result<PgPool, sqlx::Error> {
        set_pooler_mode(self.statement_cache == 0);
        Ok(self.pool_options().connect_lazy_with(self.connect_options()?))
    }
}

/// Applies pending migrations. sqlx holds a PostgreSQL advisory lock for the whole run,
/// so several processes starting together apply each migration exactly once.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// `SELECT 1` for readiness probes, over the simple-query protocol (one round trip, no
/// statement, safe behind a transaction-mode pooler).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    pool.execute(sqlx::raw_sql("SELECT 1")).await.map(|_| ())
}

// ------------------------------------------------------------------ pooler mode

static POOLER_MODE: AtomicBool = AtomicBool::new(false);

/// Behind a transaction-mode pooler, a named prepared statement outlives our transaction on a
/// server connection that the next client then shares ("sqlx_s_1 already exists"), and a
/// statement prepared outside a transaction may be bound on another server connection. In
/// pooler mode every statement is unnamed and every connection runs inside a transaction.
pub fn set_pooler_mode(on: bool) {
    POOLER_MODE.store(on, Ordering::Relaxed);
}

pub fn pooler_mode() -> bool {
    POOLER_MODE.load(Ordering::Relaxed)
}

/// The executor every store query runs on: `query!(…).fetch_one(ex(conn))`.
pub fn ex(conn: &mut PgConnection) -> Ex<'_> {
    Ex(conn)
}

#[derive(Debug)]
pub struct Ex<'c>(&'c mut PgConnection);

/// A query whose statement stays unnamed in pooler mode.
struct Unnamed<E>(E);

impl<'q, E: Execute<'q, Postgres>> Execute<'q, Postgres> for Unnamed<E> {
    fn sql(&self) -> &'q str {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement<'q>> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, sqlx::error::BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        self.0.persistent() && !pooler_mode()
    }
}

impl<'c> Executor<'c> for Ex<'c> {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        metrics::counter!("helium_db_statements_total").increment(1);
        self.0.fetch_many(Unnamed(query))
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        metrics::counter!("helium_db_statements_total").increment(1);
        self.0.fetch_optional(Unnamed(query))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [sqlx::postgres::PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.0.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.0.describe(sql)
    }
}

// ------------------------------------------------------------------ connections

/// The database handle services hold.
#[derive(Debug, Clone)]
pub struct Db {
    pool: PgPool,
    /// DATABASE_READ_URL's pool: see [`Db::lagging_conn`].
    replica: Option<PgPool>,
}

/// One connection for a use case that needs no transaction (a transaction in pooler mode).
pub enum Conn {
    Pooled(PoolConnection<Postgres>),
    Tx(Transaction<'static, Postgres>),
}

impl Deref for Conn {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        match self {
            Conn::Pooled(c) => c,
            Conn::Tx(t) => t,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match self {
            Conn::Pooled(c) => c,
            Conn::Tx(t) => t,
        }
    }
}

impl Db {
    pub fn new(pool: PgPool) -> Self {
        Self { pool, replica: None }
    }

    /// Serves [`Db::lagging_conn`] from a streaming replica.
    pub fn with_replica(self, replica: Option<PgPool>) -> Self {
        Self { replica, ..self }
    }

    /// The replica's pool, when one is configured (readiness, metrics).
    pub fn replica(&self) -> Option<&PgPool> {
        self.replica.as_ref()
    }

    /// The pool itself: for migrations, readiness, metrics and tests — never for queries
    /// inside a use case.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Waits for a pooled connection, recording the wait and counting timeouts.
    async fn acquire(&self) -> Result<PoolConnection<Postgres>, DbError> {
        Self::acquire_from(&self.pool, "primary").await
    }

    async fn acquire_from(pool: &PgPool, name: &'static str) -> Result<PoolConnection<Postgres>, DbError> {
        let started = Instant::now();
        let result = pool.acquire().await;
        metrics::histogram!("helium_db_pool_wait_seconds", "pool" => name).record(started.elapsed().as_secs_f64());
        if matches!(result, Err(sqlx::Error::PoolTimedOut)) {
            metrics::counter!("helium_db_pool_acquire_timeouts_total", "pool" => name).increment(1);
        }
        Ok(result?)
    }

    /// One read-only connection for reads that tolerate replica lag (the catalog customers
    /// browse, announcement feeds): the replica's when DATABASE_READ_URL is set, else the
    /// primary's. Never for a read that must see a write just made (the caller's own, or one
    /// a use case is about to act on) — those use [`Db::conn`] or the transaction.
    pub async fn lagging_conn(&self) -> Result<Conn, DbError> {
        let Some(replica) = &self.replica else { return self.conn().await };
        Self::reading(Self::acquire_from(replica, "replica").await?).await
    }

    /// One connection for reads, held until dropped. Pass it down as `&mut conn`. Writes go
    /// through [`Db::begin`] / [`transaction!`](crate::transaction): in pooler mode this
    /// connection is a READ ONLY transaction that is rolled back when dropped, so a write
    /// here fails loudly instead of vanishing.
    pub async fn conn(&self) -> Result<Conn, DbError> {
        Self::reading(self.acquire().await?).await
    }

    async fn reading(conn: PoolConnection<Postgres>) -> Result<Conn, DbError> {
        // Debug builds (the test suite) always read in a READ ONLY transaction, so a write
        // slipped onto a read connection fails in every test, not only behind a pooler.
        if pooler_mode() || cfg!(debug_assertions) {
            return Ok(Conn::Tx(Transaction::begin(conn, Some("BEGIN READ ONLY".into())).await?));
        }
        Ok(Conn::Pooled(conn))
    }

    /// A connection for exactly one write statement, committed on its own (autocommit): one
    /// round trip instead of three where the statement is the whole change (the
    /// Idempotency-Key claim and record). Pooler-safe: the statement is its own transaction.
    pub async fn single_statement(&self) -> Result<PoolConnection<Postgres>, DbError> {
        self.acquire().await
    }

    /// A transaction: `commit()` it; dropped uncommitted, it rolls back.
    pub async fn begin(&self) -> Result<Transaction<'static, Postgres>, DbError> {
        let conn = self.acquire().await?;
        Ok(Transaction::begin(conn, None).await?)
    }
}

/// Runs `$body` (an expression of type `Result<T, DomainError>` that may use `?`) inside a
/// transaction bound to `$tx: &mut PgConnection`, and commits when it is `Ok`. A lost
/// serialization race or a deadlock re-runs the whole body, at most three times, then answers
/// 503. To commit and still report a refusal, return `Ok(Err(refusal))`.
#[macro_export]
macro_rules! transaction {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let mut tries = 0u32;
        loop {
            tries += 1;
            let mut guard = $db.begin().await?;
            let result: ::std::result::Result<_, ::helium_domain::DomainError> = async {
                let $tx: &mut ::sqlx::PgConnection = &mut guard;
                $body
            }
            .await;
            let result = match result {
                Ok(value) => match guard.commit().await {
                    Ok(()) => Ok(value),
                    Err(e) => Err(::helium_domain::DomainError::from($crate::db::DbError::from(e))),
                },
                Err(e) => Err(e),
            };
            match result {
                Err(::helium_domain::DomainError::Contention(cause)) if tries < 3 => {
                    ::tracing::debug!(%cause, tries, "transaction conflict; running the use case again");
                }
                other => break other,
            }
        }
    }};
}

// ------------------------------------------------------------------ errors

/// A database failure. Store functions return it; services turn it into a `DomainError`
/// with `?`, or match a constraint first where a violation has a business meaning.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DbError(#[from] sqlx::Error);

impl DbError {
    /// The SQLSTATE of a database-reported error.
    pub fn sqlstate(&self) -> Option<String> {
        match &self.0 {
            sqlx::Error::Database(e) => e.code().map(|c| c.into_owned()),
            _ => None,
        }
    }

    /// Whether this is a unique violation of `constraint`.
    pub fn is_unique(&self, constraint: &str) -> bool {
        matches!(&self.0, sqlx::Error::Database(e) if e.is_unique_violation() && e.constraint() == Some(constraint))
    }
}

impl From<DbError> for DomainError {
    fn from(e: DbError) -> Self {
        match e.0 {
            sqlx::Error::PoolTimedOut => DomainError::Unavailable("database: no pooled connection within 5 s".into()),
            sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => {
                DomainError::Unavailable(format!("database: {}", e.0))
            }
            sqlx::Error::Database(ref d) if matches!(d.code().as_deref(), Some("40001" | "40P01")) => {
                DomainError::Contention(format!("database: {d}"))
            }
            other => DomainError::Internal(format!("database: {other}")),
        }
    }
}

/// Result of a store function.
pub type DbResult<T> = Result<T, DbError>;
