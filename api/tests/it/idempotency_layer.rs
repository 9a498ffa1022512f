//! Idempotency-Key layer on a route with a visible effect (a row per execution).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use helium_api::http::Principal;
use helium_api::state::AppState;
use helium_infra::{MqHandle, RedisHandle};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

/// The effect: one row per execution, then a response that differs per execution.
async fn create_effect(State(state): State<AppState>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let id: i64 = sqlx::query_scalar("INSERT INTO test_effects (payload) VALUES ($1) RETURNING id")
        .bind(body)
        .fetch_one(state.pool())
        .await
        .unwrap();
    (StatusCode::CREATED, Json(json!({ "effect_id": id, "nonce": uuid::Uuid::new_v4() })))
}

async fn app(pool: PgPool) -> Router {
    sqlx::query("CREATE TABLE test_effects (id BIGSERIAL PRIMARY KEY, payload JSONB NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let redis = RedisHandle::new("redis://127.0.0.1:6379", format!("test:{}:", uuid::Uuid::new_v4())).unwrap();
    let state = AppState::new(pool, redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f"));
    let route = Router::new().route(
        "/effects",
        post(create_effect).layer(axum::middleware::from_fn(helium_api::http::idempotency::require_idempotency_key)),
    );
    helium_api::http::with_layers(route, state)
}

fn request(key: Option<&str>, principal: &str, body: &Value) -> Request<Body> {
    let mut req = Request::post("/effects").header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let mut req = req.body(Body::from(body.to_string())).unwrap();
    req.extensions_mut().insert(Principal(principal.to_owned()));
    req
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let replayed = res.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, replayed, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn effects(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM test_effects").fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn fifty_concurrent_duplicates_have_one_effect(pool: PgPool) {
    let app = app(pool.clone()).await;
    let body = json!({"amount": 700});
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut handles = Vec::new();
    for _ in 0..50 {
        let (app, body, barrier) = (app.clone(), body.clone(), barrier.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            send(&app, request(Some("order-1"), "user-a", &body)).await
        }));
    }
    let mut created = Vec::new();
    for h in handles {
        let (status, _, body) = h.await.unwrap();
        match status {
            StatusCode::CREATED => created.push(body),
            StatusCode::CONFLICT => assert_eq!(body["code"], "idempotency_key_in_progress"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(effects(&pool).await, 1, "exactly one effect");
    assert!(!created.is_empty());
    assert!(created.iter().all(|b| b == &created[0]), "every success is the same response");

    // After the first completes, a retry replays it byte for byte.
    let (status, replayed, again) = send(&app, request(Some("order-1"), "user-a", &body)).await;
    assert_eq!((status, replayed.as_deref()), (StatusCode::CREATED, Some("true")));
    assert_eq!(again, created[0]);
    assert_eq!(effects(&pool).await, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn key_contract(pool: PgPool) {
    let app = app(pool.clone()).await;
    let body = json!({"amount": 1});
    let (status, _, problem) = send(&app, request(None, "u", &body)).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("idempotency_key_missing")));
    let long = "k".repeat(256);
    let (status, _, problem) = send(&app, request(Some(&long), "u", &body)).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("idempotency_key_invalid")));
    assert_eq!(effects(&pool).await, 0, "rejected keys run nothing");

    let (status, replayed, first) = send(&app, request(Some("k1"), "u", &body)).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None));
    let (status, _, problem) = send(&app, request(Some("k1"), "u", &json!({"amount": 2}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));
    // Another principal's identical key is an independent request.
    let (status, replayed, other) = send(&app, request(Some("k1"), "someone-else", &body)).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None));
    assert_ne!(other["effect_id"], first["effect_id"]);
    assert_eq!(effects(&pool).await, 2);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn validation_failures_store_nothing_and_expired_records_are_purged(pool: PgPool) {
    let app = app(pool.clone()).await;
    let mut req = request(Some("k2"), "u", &json!({}));
    *req.body_mut() = Body::from("{not json");
    let (status, _, _) = send(&app, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, replayed, _) = send(&app, request(Some("k2"), "u", &json!({"amount": 3}))).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None), "a corrected retry runs");

    sqlx::query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'").execute(&pool).await.unwrap();
    assert_eq!(helium_infra::idempotency::purge_expired(&mut pool.acquire().await.unwrap(), 100).await.unwrap(), 1);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_keys").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 0);
}

/// The claim is not a held transaction: with a pool of ONE connection, the handler still gets
/// it (the old design held a transaction across the handler and waited for a second).
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_handler_can_use_the_only_pooled_connection(
    pool: sqlx::postgres::PgPoolOptions,
    opts: sqlx::postgres::PgConnectOptions,
) {
    let pool =
        pool.max_connections(1).acquire_timeout(std::time::Duration::from_secs(3)).connect_with(opts).await.unwrap();
    let app = app(pool.clone()).await;
    let (status, _, body) = send(&app, request(Some("solo"), "u", &json!({"amount": 5}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, replayed, again) = send(&app, request(Some("solo"), "u", &json!({"amount": 5}))).await;
    assert_eq!((status, replayed.as_deref()), (StatusCode::CREATED, Some("true")));
    assert_eq!(again, body);
}

/// A claim whose holder died (crash, no abandon) blocks duplicates only until it expires;
/// then a retry takes it over and runs once.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_dead_holders_claim_expires_and_is_taken_over(pool: PgPool) {
    let app = app(pool.clone()).await;
    let body = json!({"amount": 9});
    let route = "POST /effects";
    let hash = helium_infra::idempotency::request_hash("POST", route, body.to_string().as_bytes());
    sqlx::query(
        "INSERT INTO idempotency_keys (principal, route, key, request_hash, claim, claimed_until, expires_at)
         VALUES ('u', $1, 'dead', $2, gen_random_uuid(), now() + interval '1 minute', now() + interval '1 day')",
    )
    .bind(route)
    .bind(&hash)
    .execute(&pool)
    .await
    .unwrap();
    let (status, _, problem) = send(&app, request(Some("dead"), "u", &body)).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("idempotency_key_in_progress")));
    assert_eq!(effects(&pool).await, 0);

    sqlx::query("UPDATE idempotency_keys SET claimed_until = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    let (status, replayed, _) = send(&app, request(Some("dead"), "u", &body)).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None));
    assert_eq!(effects(&pool).await, 1);
}

/// A request cancelled mid-handler (client gone) releases its claim: the retry runs at once.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_cancelled_request_releases_its_claim(pool: PgPool) {
    let app = app(pool.clone()).await;
    let body = json!({"amount": 11});
    // Drive the request until its claim is stored (its handler then sleeps 50 ms before the
    // effect) and drop it there: cancelled mid-handler. Cancelling at a fixed instant instead
    // could land while the claim's INSERT was still in flight — a race of the test, not the layer.
    let claims = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM idempotency_keys").fetch_one(&pool).await.unwrap()
    };
    let mut request_future = Box::pin(send(&app, request(Some("gone"), "u", &body)));
    let claimed = async {
        while claims().await == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    };
    tokio::select! {
        _ = request_future.as_mut() => panic!("the request finished before it could be cancelled"),
        () = claimed => {}
    }
    drop(request_future);
    let mut released = false;
    // Released in a background task: allow a loaded machine five seconds.
    for _ in 0..250 {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_keys").fetch_one(&pool).await.unwrap();
        if left == 0 {
            released = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(released, "the cancelled claim was abandoned");
    let (status, replayed, _) = send(&app, request(Some("gone"), "u", &body)).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None));
    assert_eq!(effects(&pool).await, 1);

    // Cancelled at an arbitrary instant (maybe while the claim's INSERT is in flight): no claim
    // outlives the second look the guard takes a second later.
    for (i, after_ms) in [1u64, 3, 5, 8].into_iter().enumerate() {
        let key = format!("early-{i}");
        let _ = tokio::time::timeout(
            std::time::Duration::from_millis(after_ms),
            send(&app, request(Some(&key), "u", &json!({"amount": 20 + i}))),
        )
        .await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE status IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pending, 0, "a cancelled claim was left behind");
}
