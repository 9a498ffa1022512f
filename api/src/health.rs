//! Internal health port (HEALTH_CHECK_PORT): /healthz, /readyz and /metrics in every mode.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// Each probe's budget; they run concurrently, so /readyz answers well within 2 s.
const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn healthz() -> Response {
    (StatusCode::OK, axum::Json(json!({"status": "ok"}))).into_response()
}

async fn probe<F>(fut: F, what: &str) -> Result<(), String>
where
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    match tokio::time::timeout(PROBE_TIMEOUT, fut).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("{what} error: timed out after {} ms", PROBE_TIMEOUT.as_millis())),
    }
}

/// The readiness document: `database`/`redis`/`rabbitmq` are "ok" or "error"; on failure
/// `status` is "error" and `error` joins the failing dependencies' messages.
pub async fn readiness(state: &AppState) -> (bool, Value) {
    let db = probe(
        async { helium_infra::db::ping(state.pool()).await.map_err(|e| anyhow::anyhow!("Database error: {e}")) },
        "Database",
    );
    let redis = probe(state.redis.ping(), "Redis");
    let mq = probe(state.mq.ping(), "RabbitMQ");
    // DATABASE_READ_URL: the catalog and feeds are read there, so it counts when configured.
    let replica = async {
        match state.db.replica() {
            Some(pool) => Some(
                probe(
                    async { helium_infra::db::ping(pool).await.map_err(|e| anyhow::anyhow!("Replica error: {e}")) },
                    "Replica",
                )
                .await,
            ),
            None => None,
        }
    };
    let (db, redis, mq, replica) = tokio::join!(db, redis, mq, replica);
    let mut doc = Map::new();
    let mut errors = Vec::new();
    let replica = replica.map(|r| ("database_replica", r));
    for (name, result) in [("database", db), ("redis", redis), ("rabbitmq", mq)].into_iter().chain(replica) {
        match result {
            Ok(()) => doc.insert(name.into(), json!("ok")),
            Err(e) => {
                errors.push(e);
                doc.insert(name.into(), json!("error"))
            }
        };
    }
    if !state.started.load(std::sync::atomic::Ordering::Acquire) {
        errors.push("starting up: migrations and configuration not finished".to_owned());
    }
    let ok = errors.is_empty();
    // For the readiness alert: the same verdict as a gauge, per dependency and overall.
    for (name, verdict) in &doc {
        let up = if verdict == "ok" { 1.0 } else { 0.0 };
        metrics::gauge!("helium_dependency_up", "dependency" => name.clone()).set(up);
    }
    metrics::gauge!("helium_ready").set(if ok { 1.0 } else { 0.0 });
    let mut out = Map::new();
    out.insert("status".into(), json!(if ok { "ok" } else { "error" }));
    out.extend(doc);
    if !ok {
        out.insert("error".into(), json!(errors.join("; ")));
    }
    (ok, Value::Object(out))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let (ok, doc) = readiness(&state).await;
    if !ok {
        tracing::warn!(readiness = %doc, "not ready");
    }
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(doc)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    // Refresh the readiness gauges at scrape time too (probes may not be calling /readyz).
    let _ = readiness(&state).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], crate::metrics::render(state.pool()))
        .into_response()
}
