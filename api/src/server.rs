//! Runs a worker mode: health port, listeners and workers, graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use helium_infra::{DbSettings, MqHandle, RedisHandle};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::mode::WorkMode;
use crate::settings::Settings;
use crate::state::AppState;

/// How long in-flight work may run after SIGTERM before the process exits anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How long after "started" the workers' first rounds take (see `memory::release_startup_code`).
const STARTUP_SETTLES: Duration = Duration::from_secs(2);
/// How long start-up waits for the database to accept migrations.
const BOOTSTRAP_DEADLINE: Duration = Duration::from_secs(30);

pub fn build_state(settings: &Settings) -> anyhow::Result<AppState> {
    let pool = settings.db.lazy_pool().context("DATABASE_URL")?;
    let redis = RedisHandle::new(&settings.redis_url, settings.redis_key_prefix.clone()).context("REDIS_URL")?;
    let mq = MqHandle::new(settings.mq_url.clone());
    let replica = settings.db.lazy_read_pool().context("DATABASE_READ_URL")?;
    Ok(AppState::new(pool, redis, mq)
        .with_read_pool(replica)
        .with_rate_limits(settings.rate_limits.clone())
        .with_public_url(settings.public_url.clone())
        .with_data_key(settings.data_key, settings.data_key_previous)
        .with_webhook_settings(settings.webhooks.clone()))
}

/// Applies the embedded migrations over one connection of its own (see
/// `settings::migration_database_settings`), closed afterwards so sqlx's session advisory
/// lock never outlives the run.
pub async fn migrate(db: &DbSettings) -> anyhow::Result<()> {
    let pool = db.lazy_pool()?;
    let outcome = helium_infra::db::migrate(&pool).await;
    pool.close().await;
    Ok(outcome?)
}

/// Applies migrations (`migrations`: None when skipped) and creates missing module configs,
/// retrying while the database comes up.
pub async fn bootstrap(state: &AppState, migrations: Option<&DbSettings>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        let attempt = async {
            if let Some(db) = migrations {
                migrate(db).await.context("applying migrations")?;
            }
            let created = state.config.ensure_defaults().await.context("initialising module configuration")?;
            state.keys.load(&state.db).await.context("loading the data key")?;
            for kind in created {
                tracing::info!(
                    config = kind.key(),
                    "module configuration was missing; initialised defaults with fresh secrets"
                );
            }
            anyhow::Ok(())
        };
        match attempt.await {
            Ok(()) => return Ok(()),
            Err(e) if started.elapsed() < BOOTSTRAP_DEADLINE => {
                tracing::warn!(error = %format!("{e:#}"), retry_in_ms = delay.as_millis() as u64, "start-up not complete; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(4));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Resolves on the first SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn bind(addr: SocketAddr, what: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} ({what})"))
}

fn spawn_http(
    tasks: &mut JoinSet<anyhow::Result<()>>,
    listener: TcpListener,
    app: axum::Router,
    stop: CancellationToken,
) {
    tasks.spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
            .context("HTTP server failed")
    });
}

fn spawn_worker<F>(tasks: &mut JoinSet<anyhow::Result<()>>, fut: F)
where
    F: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    tasks.spawn(fut);
}

/// Runs `settings.mode` until SIGTERM/SIGINT (exit 0) or a component fails (error).
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let mode = settings.mode;
    // Install the metrics recorder before anything records.
    let _ = crate::metrics::handle();
    let state = build_state(&settings)?;
    state.started.store(false, std::sync::atomic::Ordering::Release);
    let stop = CancellationToken::new();
    // One signal listener for the whole life of the process: no SIGTERM can fall between
    // start-up and the main loop.
    let signalled = CancellationToken::new();
    {
        let signalled = signalled.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            signalled.cancel();
        });
    }
    let mut tasks: JoinSet<anyhow::Result<()>> = JoinSet::new();

    // Health first, so probes answer while start-up waits for dependencies.
    let health_addr = settings.health_listen_addr;
    let health = bind(health_addr, "HEALTH_LISTEN_ADDR / HEALTH_CHECK_PORT").await?;
    spawn_http(&mut tasks, health, crate::health::router(state.clone()), stop.clone());

    let http_listener = match (mode, settings.listen_addr) {
        (WorkMode::Api | WorkMode::SubscribeApi | WorkMode::WebhookApi | WorkMode::All, Some(addr)) => {
            Some((bind(addr, "LISTEN_ADDR").await?, addr))
        }
        _ => None,
    };
    let grpc_listener = match mode {
        WorkMode::Grpc | WorkMode::All => {
            Some((bind(settings.grpc_listen_addr, "GRPC_LISTEN_ADDR").await?, settings.grpc_listen_addr))
        }
        _ => None,
    };

    if !settings.skip_migrations && settings.db.statement_cache == 0 && settings.migration_db.url == settings.db.url {
        // A zero statement cache signals a transaction-mode pooler; sqlx's session advisory
        // lock can stay stranded on a pooled server connection there.
        tracing::warn!(
            "migrations run over DATABASE_URL; behind a transaction-mode pooler set MIGRATION_DATABASE_URL or CRON_DATABASE_URL to PostgreSQL itself"
        );
    }
    tokio::select! {
        r = bootstrap(&state, (!settings.skip_migrations).then_some(&settings.migration_db)) => r?,
        _ = signalled.cancelled() => {
            tracing::info!("shutdown requested during start-up");
            stop.cancel();
            return Ok(());
        }
    }
    state.started.store(true, std::sync::atomic::Ordering::Release);

    if let Some((listener, addr)) = http_listener {
        tracing::info!(%addr, %mode, "HTTP listening");
        spawn_http(&mut tasks, listener, crate::app::build(mode, state.clone()), stop.clone());
    }
    if let Some((listener, addr)) = grpc_listener {
        tracing::info!(%addr, "gRPC listening");
        let fut = crate::grpc::serve(listener, state.clone(), stop.clone(), settings.grpc_reflection);
        spawn_worker(&mut tasks, fut);
    }
    for worker in crate::workers::for_mode(mode, &settings, &state, &stop)? {
        spawn_worker(&mut tasks, worker);
    }
    tracing::info!(%mode, service = mode.service_name(), health = %health_addr, "helium started");
    // Start-up is over once the workers' first rounds (connections, queue declarations,
    // first polls) have run: the code only it ran need not stay resident (memory.rs).
    tokio::spawn(async {
        tokio::time::sleep(STARTUP_SETTLES).await;
        let released = tokio::task::spawn_blocking(crate::memory::release_startup_code).await;
        match released {
            Ok(Ok(bytes)) => tracing::debug!(bytes, "start-up code pages released"),
            Ok(Err(e)) => tracing::debug!(error = %e, "start-up code pages not released"),
            Err(e) => tracing::debug!(error = %e, "start-up code release did not run"),
        }
    });

    let failure = tokio::select! {
        _ = signalled.cancelled() => None,
        Some(done) = tasks.join_next() => Some(match done {
            Ok(Ok(())) => anyhow::anyhow!("a component stopped unexpectedly"),
            Ok(Err(e)) => e,
            Err(e) => anyhow::anyhow!("a component panicked: {e}"),
        }),
    };
    if let Some(e) = &failure {
        tracing::error!(error = %format!("{e:#}"), "component failed; shutting down");
    } else {
        tracing::info!("shutdown signal received; finishing in-flight work");
    }
    stop.cancel();
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(done) = tasks.join_next().await {
            if let Ok(Err(e)) = done {
                tracing::warn!(error = %format!("{e:#}"), "component ended with an error during shutdown");
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("grace period over; abandoning unfinished work");
        tasks.abort_all();
    }
    state.mq.close().await;
    state.pool().close().await;
    tracing::info!("helium stopped");
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
