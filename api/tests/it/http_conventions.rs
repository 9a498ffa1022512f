//! The shared HTTP stack in-process (`with_layers` / `app`): every error is problem+json with a
//! stable code and the request id, JSON bodies are checked field by field, panics stay generic.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::routing::{get, post};
use helium_api::http::json::JsonBody;
use helium_api::http::problem::ApiError;
use helium_api::mode::WorkMode;
use helium_domain::FieldError;
use helium_domain::text::Fields;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::{redis_prefix, test_state};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    qty: i64,
    sku: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Order {
    customer: String,
    priority: u8,
    items: Vec<Item>,
}

/// The handler shape every route has: parse, build the command (value rules, every failing
/// field named), then act.
async fn echo(JsonBody(order): JsonBody<Order>) -> Result<axum::Json<Value>, ApiError> {
    let mut f = Fields::new();
    f.line("customer", &order.customer, 3, 100);
    if order.priority > 10 {
        f.push(FieldError::new("priority", "out_of_range", "0 to 10"));
    }
    for (i, item) in order.items.iter().enumerate() {
        if !(1..=100).contains(&item.qty) {
            f.push(FieldError::new(format!("items[{i}].qty"), "out_of_range", "1 to 100"));
        }
        f.line(&format!("items[{i}].sku"), &item.sku, 1, 32);
    }
    f.finish(())?;
    Ok(axum::Json(json!({"customer": order.customer, "items": order.items.len()})))
}

async fn explode() -> &'static str {
    panic!("boom: secret-internal-detail");
}

fn test_app(pool: PgPool) -> Router {
    let routes = Router::new().route("/echo", post(echo)).route("/panic", get(explode));
    helium_api::http::with_layers(routes, test_state(pool, &redis_prefix()))
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    raw: String,
}

async fn send(app: Router, req: Request<Body>) -> Reply {
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply { status, headers, body, raw }
}

fn post_json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path).header("content-type", "application/json").body(body.into()).unwrap()
}

/// Asserts the RFC 9457 shape; returns the body.
fn assert_problem(reply: &Reply, status: u16, code: &str) -> Value {
    let b = &reply.body;
    assert_eq!(reply.status.as_u16(), status, "{}", reply.raw);
    assert_eq!(reply.headers["content-type"], "application/problem+json", "{}", reply.raw);
    assert_eq!(b["type"], format!("urn:helium:problem:{code}"), "{b}");
    assert!(b["title"].as_str().is_some_and(|t| !t.is_empty()), "{b}");
    assert_eq!(b["status"], status, "{b}");
    assert_eq!(b["code"], code, "{b}");
    let header_id = reply.headers["x-request-id"].to_str().unwrap();
    assert!(!header_id.is_empty());
    assert_eq!(b["request_id"], header_id, "{b}");
    b.clone()
}

fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors[] in {body}"))
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn valid_body_reaches_the_handler(pool: PgPool) {
    let body = r#"{"customer":"alice","priority":1,"items":[{"qty":2,"sku":"x"}]}"#;
    let reply = send(test_app(pool), post_json("/echo", body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    assert_eq!(reply.body, json!({"customer": "alice", "items": 1}));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn malformed_json_is_400_malformed_request(pool: PgPool) {
    let reply = send(test_app(pool), post_json("/echo", r#"{"customer":"#)).await;
    assert_problem(&reply, 400, "malformed_request");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn non_json_content_type_is_415_unsupported_media_type(pool: PgPool) {
    let req = Request::post("/echo")
        .header("content-type", "text/plain")
        .body(Body::from(r#"{"customer":"alice","priority":1,"items":[]}"#))
        .unwrap();
    let reply = send(test_app(pool), req).await;
    assert_problem(&reply, 415, "unsupported_media_type");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn missing_field_is_422_required_naming_it(pool: PgPool) {
    let reply = send(test_app(pool), post_json("/echo", r#"{"priority":1,"items":[]}"#)).await;
    let body = assert_problem(&reply, 422, "validation_failed");
    assert_eq!(field_errors(&body), pairs(&[("customer", "required")]));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn unknown_nested_field_is_422_unknown_field_with_its_path(pool: PgPool) {
    let body = r#"{"customer":"alice","priority":1,"items":[{"qty":1,"sku":"x","evil":true}]}"#;
    let reply = send(test_app(pool), post_json("/echo", body)).await;
    let body = assert_problem(&reply, 422, "validation_failed");
    assert_eq!(field_errors(&body), pairs(&[("items[0].evil", "unknown_field")]));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn wrong_type_is_422_invalid_type_naming_the_field(pool: PgPool) {
    let body = r#"{"customer":"alice","priority":"high","items":[]}"#;
    let reply = send(test_app(pool), post_json("/echo", body)).await;
    let body = assert_problem(&reply, 422, "validation_failed");
    assert_eq!(field_errors(&body), pairs(&[("priority", "invalid_type")]));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn command_rules_are_422_listing_every_failing_field(pool: PgPool) {
    let body = r#"{"customer":"ab","priority":11,"items":[{"qty":1,"sku":"ok"},{"qty":0,"sku":""}]}"#;
    let reply = send(test_app(pool), post_json("/echo", body)).await;
    let body = assert_problem(&reply, 422, "validation_failed");
    let mut got = field_errors(&body);
    got.sort();
    assert_eq!(
        got,
        pairs(&[
            ("customer", "too_short"),
            ("items[1].qty", "out_of_range"),
            ("items[1].sku", "required"),
            ("priority", "out_of_range"),
        ])
    );
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn control_characters_anywhere_are_422_naming_the_field(pool: PgPool) {
    let body = r#"{"customer":"alice","priority":1,"items":[{"qty":1,"sku":"x\u0000y"}]}"#;
    let reply = send(test_app(pool.clone()), post_json("/echo", body)).await;
    let body = assert_problem(&reply, 422, "validation_failed");
    assert_eq!(field_errors(&body), pairs(&[("items[0].sku", "invalid_format")]));
    // Line breaks and tabs are text, not control: they pass the body check.
    let body = r#"{"customer":"line\nbreak","priority":1,"items":[]}"#;
    let reply = send(test_app(pool), post_json("/echo", body)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the command refuses a line break in a name: {}",
        reply.raw
    );
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn body_over_one_mebibyte_is_413_payload_too_large(pool: PgPool) {
    let big = format!(r#"{{"customer":"{}","priority":1,"items":[]}}"#, "a".repeat(1024 * 1024));
    let reply = send(test_app(pool), post_json("/echo", big)).await;
    assert_problem(&reply, 413, "payload_too_large");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn handler_panic_is_500_internal_error_without_the_panic_message(pool: PgPool) {
    let req = Request::get("/panic").header("x-request-id", "panic-req-1").body(Body::empty()).unwrap();
    let reply = send(test_app(pool), req).await;
    let body = assert_problem(&reply, 500, "internal_error");
    assert_eq!(body["request_id"], "panic-req-1");
    assert!(!reply.raw.contains("secret-internal-detail"), "{}", reply.raw);
    assert!(!reply.raw.contains("boom"), "{}", reply.raw);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn unknown_route_is_404_not_found_on_the_real_app(pool: PgPool) {
    let app = helium_api::app::build(WorkMode::Api, test_state(pool, &redis_prefix()));
    let req = Request::get("/api/v1/does-not-exist").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    let reply = send(app, req).await;
    let body = assert_problem(&reply, 404, "not_found");
    assert_eq!(body["request_id"], "abc-123");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn wrong_method_on_meta_is_405_with_allow_header(pool: PgPool) {
    let app = helium_api::app::build(WorkMode::Api, test_state(pool, &redis_prefix()));
    let req = Request::builder().method(Method::POST).uri("/api/v1/meta").body(Body::empty()).unwrap();
    let reply = send(app, req).await;
    assert_problem(&reply, 405, "method_not_allowed");
    let allow = reply.headers.get("allow").unwrap_or_else(|| panic!("no Allow header: {:?}", reply.headers));
    assert!(allow.to_str().unwrap().contains("GET"), "{allow:?}");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn meta_reports_version_registration_and_password_policy(pool: PgPool) {
    let state = test_state(pool, &redis_prefix());
    state.config.ensure_defaults().await.unwrap();
    let app = helium_api::app::build(WorkMode::Api, state);
    let reply = send(app, Request::get("/api/v1/meta").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    let b = &reply.body;
    assert_eq!(b["helium_version"], env!("CARGO_PKG_VERSION"), "{b}");
    assert_eq!(b["api_version"], "v1", "{b}");
    assert_eq!(b["registration_open"], true, "{b}");
    assert_eq!(b["password_policy"], json!({"min_length": 8, "max_length": 128}));
    assert!(b["oauth_providers"].is_array(), "{b}");
    assert!(reply.headers.contains_key("x-request-id"));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn meta_is_503_service_unavailable_with_retry_after_without_auth_config(pool: PgPool) {
    let state = test_state(pool.clone(), &redis_prefix());
    state.config.ensure_defaults().await.unwrap();
    sqlx::query("DELETE FROM application__config WHERE key = 'auth'").execute(&pool).await.unwrap();
    let app = helium_api::app::build(WorkMode::Api, state);
    let reply = send(app, Request::get("/api/v1/meta").body(Body::empty()).unwrap()).await;
    assert_problem(&reply, 503, "service_unavailable");
    let retry: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn api_mode_serves_swagger_ui_and_the_openapi_document(pool: PgPool) {
    let app = helium_api::app::build(WorkMode::Api, test_state(pool, &redis_prefix()));
    let ui = app.clone().oneshot(Request::get("/docs/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    let html = String::from_utf8(ui.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("swagger-ui"), "Swagger UI page expected");
    let spec = app.oneshot(Request::get("/openapi.json").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(spec.status(), StatusCode::OK);
    let served: Value = serde_json::from_slice(&spec.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let expected: Value = serde_json::from_str(&helium_api::app::openapi_json()).unwrap();
    assert_eq!(served, expected, "/openapi.json is the document `helium openapi` prints");
}
