//! No request may hold a pooled connection while it waits for another one. With a pool of 3
//! connections, every read route of the spec (anonymous, customer, staff session, staff API
//! key) and the common writes run at 4 × pool size concurrency for a while each: no 5xx, no
//! acquire timeout (503), and every route keeps answering. A route that nests acquisitions
//! locks the pool within milliseconds at this concurrency and fails here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, Method};
use helium_api::http::rate_limit::RouteClass;
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::support::REDIS_URL;
use crate::support::staff::staff;
use crate::support::{GOOD_PASSWORD, Harness, create_user, harness_with, request};

const POOL: u32 = 3;
const WORKERS: usize = 4 * POOL as usize;
const PER_ROUTE: Duration = Duration::from_millis(700);

#[derive(Clone)]
struct Caller {
    name: &'static str,
    bearer: Option<String>,
    api_key: Option<String>,
}

impl Caller {
    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> axum::http::Request<axum::body::Body> {
        let mut req = request(method, path, self.bearer.as_deref(), body);
        if let Some(key) = &self.api_key {
            req.headers_mut().insert("x-api-key", HeaderValue::from_str(key).unwrap());
        }
        req
    }
}

struct Load {
    label: String,
    answered: usize,
    failures: Vec<String>,
}

/// WORKERS tasks send the same request for PER_ROUTE; collects every 5xx (with its body).
async fn hammer(h: &Harness, caller: &Caller, method: Method, path: &str, body: Option<Value>) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..WORKERS {
        let (h, caller, method, path, body, stop) =
            (h.clone(), caller.clone(), method.clone(), path.to_owned(), body.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (mut answered, mut failures) = (0, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                // Some refusals (a missing node token) finish without touching I/O: yield so a
                // worker cannot starve the timer on the test's single-threaded runtime.
                tokio::task::yield_now().await;
                let r = h.call(caller.request(method.clone(), &path, body.as_ref())).await;
                answered += 1;
                if r.status.is_server_error() && failures.len() < 3 {
                    failures.push(format!("{} {}", r.status, r.body));
                }
            }
            (answered, failures)
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(PER_ROUTE).await;
    stop.store(true, Ordering::Relaxed);
    let mut load = Load { label: format!("{} {method} {path}", caller.name), answered: 0, failures: Vec::new() };
    for t in tasks {
        // A locked pool shows up here as a task that never returns.
        let (answered, failures) =
            tokio::time::timeout(Duration::from_secs(15), t).await.expect("a request hung").unwrap();
        load.answered += answered;
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
    let unlimited = [(RouteClass::Auth, 1_000_000), (RouteClass::Read, 1_000_000), (RouteClass::Write, 1_000_000)];
    let h = harness_with(pool.clone(), REDIS_URL, &unlimited).await;

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
    let customer = Caller { name: "customer", bearer: Some(access), api_key: None };
    let session = Caller { name: "staff session", bearer: Some(admin.token.clone()), api_key: None };
    let api_key = Caller { name: "API key", bearer: None, api_key: Some(key) };

    let fill = |path: &str| {
        path.replace("/customers/{id}", &format!("/customers/{customer_id}"))
            .replace("/admins/{id}", &format!("/admins/{}", admin.id))
            .replace("{key}", "auth")
            .replace("{provider}", "github")
    };
    let mut loads = Vec::new();
    for (path, schemes) in read_routes() {
        let path = fill(&path);
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
            loads.push(hammer(&h, caller, Method::GET, &path, None).await);
        }
    }
    assert!(loads.len() >= 15, "the spec lists the read routes ({} hammered)", loads.len());

    // Common writes, each its own use case with a transaction.
    let customer_path = format!("/api/v1/admin/customers/{customer_id}");
    let writes: Vec<(&Caller, Method, String, Option<Value>)> = vec![
        (&customer, Method::PATCH, "/api/v1/me".into(), Some(json!({"display_name": "Load"}))),
        (&session, Method::PATCH, "/api/v1/admin/me".into(), Some(json!({"display_name": "Root"}))),
        (&api_key, Method::POST, format!("{customer_path}/ban"), Some(json!({"reason": "load test"}))),
        (&api_key, Method::POST, format!("{customer_path}/unban"), Some(json!({"reason": "load test"}))),
        (&api_key, Method::DELETE, format!("{customer_path}/sessions"), None),
        (&anonymous, Method::POST, "/api/v1/auth/register".into(), Some(json!({"email": "someone@example.test"}))),
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
