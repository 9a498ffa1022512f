//! Rate limiting: 429 with Retry-After past the limit; Redis down → auth fails closed, reads open.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use helium_api::http::rate_limit::{self, Limit, RateLimits, RouteClass};
use helium_api::state::AppState;
use helium_infra::{MqHandle, RedisHandle};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

fn app(pool: PgPool, redis_url: &str) -> Router {
    let redis = RedisHandle::new(redis_url, format!("test:{}:", uuid::Uuid::new_v4())).unwrap();
    let limits = RateLimits::default()
        .with_limit(RouteClass::Auth, Limit { requests: 3, window_secs: 60 })
        .with_limit(RouteClass::PublicRead, Limit { requests: 5, window_secs: 60 });
    let state =
        AppState::new(pool, redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f")).with_rate_limits(limits);
    let route = Router::new()
        .route(
            "/login",
            get(|| async { "ok" }).layer(axum::middleware::from_fn(|r, n| rate_limit::limit(RouteClass::Auth, r, n))),
        )
        .route(
            "/read",
            get(|| async { "ok" })
                .layer(axum::middleware::from_fn(|r, n| rate_limit::limit(RouteClass::PublicRead, r, n))),
        );
    helium_api::http::with_layers(route, state)
}

async fn get_path(app: &Router, path: &str) -> (StatusCode, Option<String>, Value) {
    let res = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, retry, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn limit_trips_with_retry_after(pool: PgPool) {
    let app = app(pool, "redis://127.0.0.1:6379");
    for _ in 0..3 {
        assert_eq!(get_path(&app, "/login").await.0, StatusCode::OK);
    }
    let (status, retry, problem) = get_path(&app, "/login").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem["code"], "rate_limited");
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=61).contains(&secs), "{secs}");
    // Classes count separately.
    assert_eq!(get_path(&app, "/read").await.0, StatusCode::OK);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn redis_down_fails_auth_closed_and_reads_open(pool: PgPool) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let app = app(pool, &format!("redis://{closed}"));
    let (status, retry, problem) = get_path(&app, "/login").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("service_unavailable")));
    assert!(retry.is_some());
    for _ in 0..10 {
        assert_eq!(get_path(&app, "/read").await.0, StatusCode::OK, "reads fail open");
    }
}
