//! No request may hold a pooled connection while it waits for another one. With a pool of 3
//! connections, every read route of the spec (anonymous, customer, staff session, staff API
//! key) and the common writes run at 4 × pool size concurrency for a while each: no 5xx, no
//! acquire timeout (503), and every route keeps answering. A route that nests acquisitions
//! locks the pool within milliseconds at this concurrency and fails here. Path parameters are
//! real objects (seeded, then found through their list route) so each use case runs to its end;
//! a parameter without a listed object gets a fresh id (the lookup still runs, and answers 404).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, Method};
use helium_api::http::rate_limit::RouteClass;
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::support::REDIS_URL;
use crate::support::shop::{deposit, product, set_shop};
use crate::support::staff::staff;
use crate::support::{GOOD_PASSWORD, Harness, create_user, harness_with, request};

const POOL: u32 = 3;
const WORKERS: usize = 4 * POOL as usize;
const PER_ROUTE: Duration = Duration::from_millis(700);
/// Read routes whose bare GET is refused by design (the refusal still runs under pressure).
const EXPECTED_REFUSALS: [&str; 1] = [
    // An unsigned gateway callback.
    "/webhooks/epay/notify",
];

#[derive(Clone)]
struct Caller {
    name: &'static str,
    bearer: Option<String>,
    api_key: Option<String>,
}

impl Caller {
    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> axum::http::Request<axum::body::Body> {
        let write = method != Method::GET;
        let mut req = request(method, path, self.bearer.as_deref(), body);
        if let Some(key) = &self.api_key {
            req.headers_mut().insert("x-api-key", HeaderValue::from_str(key).unwrap());
        }
        if write {
            // Every write is a new attempt (routes without the Idempotency-Key layer ignore it).
            let key = HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).unwrap();
            req.headers_mut().insert("idempotency-key", key);
        }
        req
    }
}

struct Load {
    label: String,
    answered: usize,
    succeeded: usize,
    failures: Vec<String>,
    /// The first answer that was not a success, for the report.
    refused: Option<String>,
}

/// WORKERS tasks send the same request for PER_ROUTE; collects every 5xx (with its body).
async fn hammer(h: &Harness, caller: &Caller, method: Method, path: &str, body: Option<Value>) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..WORKERS {
        let (h, caller, method, path, body, stop) =
            (h.clone(), caller.clone(), method.clone(), path.to_owned(), body.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (mut answered, mut succeeded, mut failures, mut refused) = (0, 0, Vec::new(), None);
            while !stop.load(Ordering::Relaxed) {
                // Some refusals (a missing node token) finish without touching I/O: yield so a
                // worker cannot starve the timer on the test's single-threaded runtime.
                tokio::task::yield_now().await;
                let r = h.call(caller.request(method.clone(), &path, body.as_ref())).await;
                answered += 1;
                succeeded += usize::from(r.status.is_success());
                if !r.status.is_success() && refused.is_none() {
                    refused = Some(format!("{} {}", r.status, r.body));
                }
                if r.status.is_server_error() && failures.len() < 3 {
                    failures.push(format!("{} {}", r.status, r.body));
                }
            }
            (answered, succeeded, failures, refused)
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(PER_ROUTE).await;
    stop.store(true, Ordering::Relaxed);
    let mut load = Load {
        label: format!("{} {method} {path}", caller.name),
        answered: 0,
        succeeded: 0,
        failures: Vec::new(),
        refused: None,
    };
    for t in tasks {
        // A locked pool shows up here as a task that never returns.
        let (answered, succeeded, failures, refused) =
            tokio::time::timeout(Duration::from_secs(15), t).await.expect("a request hung").unwrap();
        load.refused = load.refused.or(refused);
        load.answered += answered;
        load.succeeded += succeeded;
        load.failures.extend(failures);
    }
    assert!(started.elapsed() < Duration::from_secs(15));
    load
}

/// The spec's GET operations: (path, security schemes).
fn read_routes() -> Vec<(String, Vec<String>)> {
    let doc = serde_json::to_value(helium_api::app::openapi_document()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let schemes = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default())
            .collect();
        out.push((path.clone(), schemes));
    }
    out
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn no_route_waits_for_a_second_connection(pool: PgPoolOptions, opts: PgConnectOptions) {
    let pool = pool.max_connections(POOL).acquire_timeout(Duration::from_secs(5)).connect_with(opts).await.unwrap();
    let unlimited = RouteClass::ALL.map(|c| (c, 1_000_000));
    let h = harness_with(pool.clone(), REDIS_URL, &unlimited).await.all_modes();

    let customer_id = create_user(&pool, "load@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("load@example.test", GOOD_PASSWORD).await;
    let admin = staff(&h, Role::SuperAdmin).await;
    let key = h
        .authed(
            Method::POST,
            "/api/v1/admin/api-keys",
            &admin.token,
            Some(json!({"name": "load", "role": "super_admin"})),
        )
        .await
        .ok(201)["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let anonymous = Caller { name: "anonymous", bearer: None, api_key: None };
    let customer = Caller { name: "customer", bearer: Some(access.clone()), api_key: None };
    let session = Caller { name: "staff session", bearer: Some(admin.token.clone()), api_key: None };
    let api_key = Caller { name: "API key", bearer: None, api_key: Some(key) };

    // Objects for the path parameters: a product, a paid order, an unpaid one, a ticket, an
    // announcement, the customer's wallet and subscription token.
    set_shop(&h, json!({ "max_unpaid_orders": 1000 })).await;
    let product_id = product(&h, 500).await;
    deposit(&h, customer_id, 1_000_000).await;
    let new_order = || customer.request(Method::POST, "/api/v1/orders", Some(&json!({ "product_id": product_id })));
    let order_id = h.call(new_order()).await.ok(201)["id"].as_str().unwrap().to_owned();
    h.call(customer.request(Method::POST, &format!("/api/v1/orders/{order_id}/pay/wallet"), None)).await.ok(200);
    let unpaid = h.call(new_order()).await.ok(201)["id"].as_str().unwrap().to_owned();
    let ticket = json!({ "subject": "Slow", "body": "It is slow.", "priority": "normal" });
    let ticket_id = h.authed(Method::POST, "/api/v1/tickets", &access, Some(ticket)).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notice = json!({ "title": "Maintenance", "body": "Tonight." });
    h.authed(Method::POST, "/api/v1/admin/announcements", &admin.token, Some(notice)).await.ok(201);
    let token = h.authed(Method::GET, "/api/v1/subscription", &access, None).await.ok(200)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // (pattern, value, names a real object)
    let known: Vec<(&str, String, bool)> = vec![
        ("/customers/{id}", customer_id.to_string(), true),
        ("/admins/{id}", admin.id.to_string(), true),
        ("{user_id}", customer_id.to_string(), true),
        ("{product_id}", product_id.to_string(), true),
        ("{token}", token, true),
        ("{key}", "auth".into(), true),
        // No OAuth provider is configured here: the lookup runs and refuses.
        ("{provider}", "github".into(), false),
    ];

    let mut loads = Vec::new();
    let (mut unresolved, mut never_succeeded) = (Vec::new(), Vec::new());
    for (template, schemes) in read_routes() {
        for scheme in &schemes {
            let caller = match scheme.as_str() {
                "" => &anonymous,
                "customerBearer" => &customer,
                "adminBearer" => &session,
                "adminApiKey" => &api_key,
                // Node agents' pulls are served from snapshots; telecom_agents.rs covers them.
                "nodeToken" => continue,
                other => panic!("unexpected scheme {other}"),
            };
            let (path, resolved) = fill(&h, caller, &template, &known).await;
            let load = hammer(&h, caller, Method::GET, &path, None).await;
            if EXPECTED_REFUSALS.contains(&template.as_str()) {
                assert!(load.succeeded == 0, "{} answered a success", load.label);
            } else if !resolved {
                unresolved.push(load.label.clone());
            } else if load.succeeded == 0 {
                never_succeeded.push(format!("{}: {}", load.label, load.refused.as_deref().unwrap_or("")));
            }
            loads.push(load);
        }
    }
    assert!(loads.len() >= 100, "the spec lists the read routes ({} hammered)", loads.len());
    assert!(never_succeeded.is_empty(), "no request succeeded with real path parameters: {never_succeeded:#?}");
    // Everything but a few objects nobody seeded here (gift cards, node servers, …) is real.
    assert!(unresolved.len() <= 20, "too many routes ran without a real object: {unresolved:#?}");

    // Common writes, each its own use case with a transaction (and an Idempotency-Key each).
    let customer_path = format!("/api/v1/admin/customers/{customer_id}");
    let adjustment = json!({ "kind": "deposit", "amount": 1, "reason": "load test" });
    let writes: Vec<(&Caller, Method, String, Option<Value>)> = vec![
        (&customer, Method::PATCH, "/api/v1/me".into(), Some(json!({"display_name": "Load"}))),
        (&session, Method::PATCH, "/api/v1/admin/me".into(), Some(json!({"display_name": "Root"}))),
        (&api_key, Method::POST, format!("{customer_path}/ban"), Some(json!({"reason": "load test"}))),
        (&api_key, Method::POST, format!("{customer_path}/unban"), Some(json!({"reason": "load test"}))),
        (&api_key, Method::DELETE, format!("{customer_path}/sessions"), None),
        (&anonymous, Method::POST, "/api/v1/auth/register".into(), Some(json!({"email": "someone@example.test"}))),
        (&customer, Method::POST, "/api/v1/orders".into(), Some(json!({ "product_id": product_id }))),
        (&customer, Method::POST, format!("/api/v1/orders/{unpaid}/pay/wallet"), None),
        (
            &customer,
            Method::POST,
            format!("/api/v1/tickets/{ticket_id}/messages"),
            Some(json!({ "body": "Still slow." })),
        ),
        (
            &api_key,
            Method::POST,
            format!("/api/v1/admin/tickets/{ticket_id}/messages"),
            Some(json!({ "body": "Looking." })),
        ),
        (&api_key, Method::POST, format!("/api/v1/admin/wallets/{customer_id}/adjustments"), Some(adjustment)),
    ];
    for (caller, method, path, body) in writes {
        loads.push(hammer(&h, caller, method, &path, body).await);
    }

    let mut problems = Vec::new();
    for load in &loads {
        if load.answered < WORKERS {
            problems.push(format!("{}: only {} answers", load.label, load.answered));
        }
        for f in &load.failures {
            problems.push(format!("{}: {f}", load.label));
        }
    }
    assert!(problems.is_empty(), "under pool pressure:\n{}", problems.join("\n"));
}

/// The template with its parameters filled: known values first, else the first object its
/// list route (the path up to the parameter) shows this caller, else a fresh id. Returns
/// whether every parameter named a real object.
async fn fill(h: &Harness, caller: &Caller, template: &str, known: &[(&str, String, bool)]) -> (String, bool) {
    let mut path = template.to_owned();
    let mut resolved = true;
    for (pattern, value, real) in known {
        resolved &= *real || !path.contains(pattern);
        if pattern.starts_with('/') {
            path = path.replace(pattern, &format!("{}/{value}", &pattern[..pattern.rfind('/').unwrap()]));
        } else {
            path = path.replace(pattern, value);
        }
    }
    while let Some(open) = path.find('{') {
        let close = open + path[open..].find('}').unwrap();
        let list = path[..open].trim_end_matches('/').to_owned();
        let r = h.call(caller.request(Method::GET, &list, None)).await;
        let first = if r.status.is_success() {
            let items = r.body.get("items").unwrap_or(&r.body);
            items.get(0).and_then(|i| i["id"].as_str()).map(str::to_owned)
        } else {
            None
        };
        resolved &= first.is_some();
        let value = first.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        path.replace_range(open..=close, &value);
    }
    (path, resolved)
}

/// The process-wide count of pool acquisitions that timed out.
fn acquire_timeouts() -> f64 {
    let text = helium_api::metrics::handle().render();
    text.lines()
        .filter(|l| l.starts_with("helium_db_pool_acquire_timeouts_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// An exhausted pool is an overload, not an internal error: 503 `service_unavailable` with
/// `Retry-After`, counted, and the process answers normally once connections free up.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_exhausted_pool_answers_503_with_retry_after(pool: PgPoolOptions, opts: PgConnectOptions) {
    let pool = pool.max_connections(1).acquire_timeout(Duration::from_millis(300)).connect_with(opts).await.unwrap();
    let h = crate::support::harness(pool.clone()).await;
    create_user(&pool, "held@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("held@example.test", GOOD_PASSWORD).await;
    let before = acquire_timeouts();

    let held = pool.acquire().await.unwrap();
    let r = h.me(&access).await;
    drop(held);
    r.expect(503, "service_unavailable");
    assert_eq!(r.header("retry-after"), Some("5"), "{}", r.body);
    assert!(acquire_timeouts() > before, "the timeout is counted");
    let waits = helium_api::metrics::handle().render();
    assert!(waits.contains("helium_db_pool_wait_seconds_bucket"), "pool waits are a histogram");

    h.me(&access).await.ok(200);
}
