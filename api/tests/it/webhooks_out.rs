//! Outgoing webhooks end to end: a real HTTP receiver in the test, the real fan-out consumer
//! and sender, signatures checked by the official `standardwebhooks` Python library
//! (`HELIUM_PYTHON`, else `.tools/venv` from deploy/tools/ensure-venv.sh: see
//! deploy/tools/requirements.txt),
//! rotation with a short grace, the SSRF rules (SECURITY.md check 49), the role matrix, and
//! the secret's absence from every answer but two and from the audit log.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_api::grpc::pb;
use helium_api::grpc::pb::webhook_service_client::WebhookServiceClient;
use helium_domain::admin::Role;
use helium_domain::events::Event;
use helium_infra::notify::webhooks::WebhookSettings;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::staff::{staff, staff_without_mfa};
use crate::support::{Harness, harness};

const BASE: &str = "/api/v1/admin/webhook-endpoints";

// ---- a receiver --------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

/// One scripted answer: status and an optional `Location`.
type Answer = (u16, Option<String>);

/// Answers from a script, then 200; records every request.
#[derive(Clone, Default)]
struct Receiver {
    script: Arc<Mutex<VecDeque<Answer>>>,
    got: Arc<Mutex<Vec<Received>>>,
    url: String,
}

impl Receiver {
    async fn start(script: Vec<Answer>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        let r = Receiver { script: Arc::new(Mutex::new(script.into())), got: Arc::default(), url };
        let app = Router::new().fallback(hook).with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        r
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: String) -> Response {
    let headers: HashMap<String, String> =
        headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let signature = headers.get("webhook-signature").cloned().unwrap_or_default();
    r.got.lock().unwrap().push(Received { headers, body });
    let (status, location) = r.script.lock().unwrap().pop_front().unwrap_or((200, None));
    let status = StatusCode::from_u16(status).unwrap();
    match location {
        Some(to) => (status, [(header::LOCATION, to)], "moved").into_response(),
        // A careless receiver that echoes what it got: the excerpt must not keep it.
        None => (status, format!("answer {} echo {signature}", status.as_u16())).into_response(),
    }
}

// ---- helpers -------------------------------------------------------------------------------

/// The harness with the test flag (loopback + http) and a fast retry schedule.
async fn hooks_harness(pool: PgPool, schedule: &[f64]) -> Harness {
    let settings = WebhookSettings {
        allow_loopback: true,
        retry_schedule: schedule.iter().map(|s| Duration::from_secs_f64(*s)).collect(),
        poll_interval: Duration::from_millis(50),
    };
    harness(pool).await.with_state(|s| s.with_webhook_settings(settings))
}

async fn create(h: &Harness, token: &str, url: &str, types: Value) -> (Value, String) {
    let r = h.authed(Method::POST, BASE, token, Some(json!({ "url": url, "event_types": types }))).await;
    let body = r.ok(201).clone();
    assert_eq!(r.header("location"), Some(format!("{BASE}/{}", body["id"].as_str().unwrap()).as_str()));
    let secret = body["secret"].as_str().unwrap().to_owned();
    (body, secret)
}

fn event(event_type: &str, payload: Value) -> Event {
    Event::new(Uuid::now_v7(), event_type, "agg-1", chrono::Utc::now(), payload)
}

/// Runs the fan-out consumer on `event` as the consumer mode would.
async fn consume(h: &Harness, event: &Event) {
    let handler = h.state.webhooks.handlers().into_iter().find(|c| c.name() == "notify_webhooks").unwrap();
    let mut tx = h.pool.begin().await.unwrap();
    handler.handle(&mut tx, event, 1).await.unwrap();
    tx.commit().await.unwrap();
}

/// Runs sender rounds until `done` holds for the delivery list of `endpoint` (or 15 s pass).
async fn send_until(h: &Harness, token: &str, endpoint: &str, done: impl Fn(&Value) -> bool) -> Value {
    let sender = h.state.webhooks.sender();
    for _ in 0..300 {
        sender.run_once().await.unwrap();
        let list = h.authed(Method::GET, &format!("{BASE}/{endpoint}/deliveries"), token, None).await;
        let body = list.ok(200).clone();
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries never reached the expected state");
}

/// Which of `(secret, message)` verify with the official Standard Webhooks library.
fn verify(cases: &[(&str, &Received)]) -> Vec<bool> {
    let python = std::env::var_os("HELIUM_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/python"));
    let script = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
out = []
for c in json.load(sys.stdin):
    try:
        Webhook(c["secret"]).verify(c["body"], c["headers"])
        out.append(True)
    except Exception:
        out.append(False)
print(json.dumps(out))
"#;
    let input: Vec<Value> =
        cases.iter().map(|(s, m)| json!({ "secret": s, "body": m.body, "headers": m.headers })).collect();
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run HELIUM_PYTHON");
    child.stdin.take().unwrap().write_all(serde_json::to_string(&input).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the verifier failed (HELIUM_PYTHON needs `standardwebhooks`, see deploy/tools/requirements.txt): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---- tests ---------------------------------------------------------------------------------

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_event_is_signed_retried_and_delivered_on_the_third_attempt(pool: PgPool) {
    let h = hooks_harness(pool, &[0.1, 0.1, 0.1]).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let rx = Receiver::start(vec![(500, None), (500, None)]).await;
    let (ep, secret) = create(&h, &sa.token, &rx.url, json!(["order.*", "payment.succeeded"])).await;
    assert!(secret.starts_with("whsec_"));
    let id = ep["id"].as_str().unwrap();

    let paid = event("order.paid", json!({ "order_id": "o-1", "amount": 700 }));
    // At least once from the outbox: the same event twice makes one delivery.
    consume(&h, &paid).await;
    consume(&h, &paid).await;
    consume(&h, &event("user.registered", json!({ "user_id": "u-1" }))).await;
    let deliveries = crate::support::count(&h.pool, "SELECT count(*) FROM notify.webhook_deliveries").await;
    assert_eq!(deliveries, 1, "one delivery for the subscribed event, none for the other");

    let list = send_until(&h, &sa.token, id, |b| b["items"][0]["status"] == "delivered").await;
    let d = &list["items"][0];
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["event_type"], "order.paid");
    let log = d["attempt_log"].as_array().unwrap();
    assert_eq!(log.iter().map(|a| a["status_code"].as_i64().unwrap()).collect::<Vec<_>>(), [500, 500, 200]);
    assert!(log.iter().all(|a| a["latency_ms"].as_i64().unwrap() >= 0));
    // The receiver echoed our signature: the stored excerpt does not keep it.
    let excerpt = log[0]["response_excerpt"].as_str().unwrap();
    assert!(excerpt.contains("answer 500 echo [redacted]"), "{excerpt}");
    assert!(!excerpt.contains("v1,"), "{excerpt}");

    let got = rx.received();
    assert_eq!(got.len(), 3);
    let ids: Vec<&str> = got.iter().map(|m| m.headers["webhook-id"].as_str()).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "the message id is stable across retries: {ids:?}");
    assert_eq!(ids[0], d["message_id"]);
    for m in &got {
        assert_eq!(m.headers["content-type"], "application/json");
        let ts: i64 = m.headers["webhook-timestamp"].parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
        assert_eq!(m.headers["webhook-signature"].split(' ').count(), 1);
    }
    let body: Value = serde_json::from_str(&got[2].body).unwrap();
    assert_eq!(body["type"], "order.paid");
    assert_eq!(body["data"], json!({ "order_id": "o-1", "amount": 700 }));
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        verify(&[(&secret, &got[2]), ("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &got[2])]),
        [true, false]
    );

    // Filters.
    let q = |s: &str| format!("{BASE}/{id}/deliveries?{s}");
    let r = h.authed(Method::GET, &q("status=delivered&event_type=order.paid"), &sa.token, None).await;
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 1);
    let r = h.authed(Method::GET, &q("status=failed"), &sa.token, None).await;
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 0);
    h.authed(Method::GET, &q("status=lost"), &sa.token, None).await.expect(422, "validation_failed");
    h.authed(Method::GET, &q("event_type=email.requested"), &sa.token, None).await.expect(422, "validation_failed");
    h.authed(Method::GET, &q("cursor=bogus"), &sa.token, None).await.expect(400, "invalid_cursor");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_delivery_fails_when_the_schedule_is_spent_and_a_302_inward_is_not_followed(pool: PgPool) {
    let h = hooks_harness(pool, &[0.1]).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let canary = Receiver::start(vec![]).await;
    let inward = canary.url.replace("/hook", "/steal");
    let rx = Receiver::start(vec![(302, Some(inward.clone())), (302, Some(inward))]).await;
    let (ep, _) = create(&h, &sa.token, &rx.url, json!(["*"])).await;
    let id = ep["id"].as_str().unwrap();
    consume(&h, &event("node.offline", json!({ "node_id": 3 }))).await;
    let list = send_until(&h, &sa.token, id, |b| b["items"][0]["status"] == "failed").await;
    let d = &list["items"][0];
    assert_eq!(d["attempts"], 2, "the first try and one retry");
    assert_eq!(d["last_status_code"], 302);
    assert_eq!(rx.received().len(), 2);
    assert!(canary.received().is_empty(), "the redirect was followed");

    // A staff retry sends it once more now (a new series).
    let retry = format!("{BASE}/{id}/deliveries/{}/retry", d["id"].as_str().unwrap());
    let r = h.authed(Method::POST, &retry, &sa.token, None).await;
    assert_eq!(r.ok(202)["delivery_id"], d["id"]);
    let list = send_until(&h, &sa.token, id, |b| b["items"][0]["status"] == "delivered").await;
    assert_eq!(list["items"][0]["attempts"], 3);

    // Disabled: no test sends, no retries.
    let patch = h.authed(Method::PATCH, &format!("{BASE}/{id}"), &sa.token, Some(json!({ "enabled": false }))).await;
    assert_eq!(patch.ok(200)["enabled"], false);
    h.authed(Method::POST, &retry, &sa.token, None).await.expect(409, "endpoint_disabled");
    h.authed(Method::POST, &format!("{BASE}/{id}/test"), &sa.token, None).await.expect(409, "endpoint_disabled");
    let other = format!("{BASE}/{id}/deliveries/{}/retry", Uuid::now_v7());
    h.authed(Method::POST, &other, &sa.token, None).await.expect(404, "not_found");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_name_resolving_inward_is_refused_at_send_time(pool: PgPool) {
    // No test flag here: an endpoint saved with a public-looking name whose DNS answer is
    // loopback (as a rebinding name would give) is never called.
    let h = harness(pool).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let canary = Receiver::start(vec![]).await;
    let (ep, _) = create(&h, &sa.token, "https://hooks.example.com/in", json!(["user.banned"])).await;
    let id = ep["id"].as_str().unwrap();
    let port = canary.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    sqlx::query("UPDATE notify.webhook_endpoints SET url = $1")
        .bind(format!("https://localhost:{port}/hook"))
        .execute(&h.pool)
        .await
        .unwrap();
    consume(&h, &event("user.banned", json!({ "user_id": "u-2" }))).await;
    let list = send_until(&h, &sa.token, id, |b| b["items"][0]["attempts"] == 1).await;
    let attempt = &list["items"][0]["attempt_log"][0];
    assert_eq!(attempt["status_code"], Value::Null);
    assert_eq!(attempt["error"], "url_not_allowed: address not allowed");
    assert_eq!(list["items"][0]["status"], "pending", "it is retried later, and refused again");
    assert!(canary.received().is_empty());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn during_a_rotation_both_secrets_sign_and_after_it_only_the_new_one(pool: PgPool) {
    let h = hooks_harness(pool, &[0.1]).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let rx = Receiver::start(vec![]).await;
    let (ep, old) = create(&h, &sa.token, &rx.url, json!(["ticket.created"])).await;
    let id = ep["id"].as_str().unwrap();
    let rotate = format!("{BASE}/{id}/rotate-secret");
    h.authed(Method::POST, &rotate, &sa.token, Some(json!({ "grace_secs": -1 })))
        .await
        .expect(422, "validation_failed");
    h.authed(Method::POST, &rotate, &sa.token, Some(json!({ "grace_secs": 604_801 })))
        .await
        .expect(422, "validation_failed");
    let r = h.authed(Method::POST, &rotate, &sa.token, Some(json!({ "grace_secs": 3 }))).await;
    let new = r.ok(200)["secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    assert!(r.body["previous_secret_expires_at"].is_string());

    let test = h.authed(Method::POST, &format!("{BASE}/{id}/test"), &sa.token, None).await;
    let first = test.ok(202)["delivery_id"].as_str().unwrap().to_owned();
    send_until(&h, &sa.token, id, |b| b["items"][0]["status"] == "delivered").await;
    let during = rx.received().pop().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&during.body).unwrap()["type"], "webhook.test");
    assert_eq!(during.headers["webhook-id"], format!("msg_{}", first.replace('-', "")));
    assert_eq!(during.headers["webhook-signature"].split(' ').count(), 2, "new, then old");
    assert_eq!(verify(&[(&new, &during), (&old, &during)]), [true, true]);

    tokio::time::sleep(Duration::from_millis(3200)).await;
    let got = h.authed(Method::GET, &format!("{BASE}/{id}"), &sa.token, None).await;
    assert!(got.ok(200)["previous_secret_expires_at"].is_null());
    h.authed(Method::POST, &format!("{BASE}/{id}/test"), &sa.token, None).await.ok(202);
    send_until(&h, &sa.token, id, |b| b["items"].as_array().unwrap().iter().all(|d| d["status"] == "delivered")).await;
    let after = rx.received().pop().unwrap();
    assert_eq!(after.headers["webhook-signature"].split(' ').count(), 1);
    assert_eq!(verify(&[(&new, &after), (&old, &after)]), [true, false]);

    // A rotation with no grace (and an empty body: the default is a day).
    let r = h.authed(Method::POST, &rotate, &sa.token, None).await;
    assert!(r.ok(200)["previous_secret_expires_at"].is_string());
    let r = h.authed(Method::POST, &rotate, &sa.token, Some(json!({ "grace_secs": 0 }))).await;
    assert!(r.ok(200)["previous_secret_expires_at"].is_null());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn inward_urls_are_refused_unless_the_test_flag_allows_loopback(pool: PgPool) {
    let h = harness(pool).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let refused = [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.0.0.1/hook",
        "https://192.168.1.10/hook",
        "https://[fd00::1]/hook",
        "https://100.64.0.1/hook",
        "https://localhost/hook",
        "https://user:pass@hooks.example.com/hook",
        "http://hooks.example.com/hook",
        "http://127.0.0.1:9/hook",
    ];
    for url in refused {
        let r = h.authed(Method::POST, BASE, &sa.token, Some(json!({ "url": url, "event_types": ["*"] }))).await;
        r.expect(422, "url_not_allowed");
        assert_eq!(r.body["errors"][0]["field"], "url", "{url}");
    }
    let bad_type = json!({ "url": "https://hooks.example.com/in", "event_types": ["order.paid", "order.nope"] });
    let r = h.authed(Method::POST, BASE, &sa.token, Some(bad_type)).await;
    r.expect(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "event_types[1]");
    let nul = json!({ "url": "https://hooks.example.com/in", "event_types": ["*"], "description": "a\u{0}b" });
    h.authed(Method::POST, BASE, &sa.token, Some(nul)).await.expect(422, "validation_failed");
    let huge = json!({ "url": format!("https://hooks.example.com/{}", "a".repeat(5000)), "event_types": ["*"] });
    h.authed(Method::POST, BASE, &sa.token, Some(huge)).await.expect(422, "validation_failed");
    let (ep, _) = create(&h, &sa.token, "https://hooks.example.com/in", json!(["user.*"])).await;
    let id = ep["id"].as_str().unwrap();
    let r =
        h.authed(Method::PATCH, &format!("{BASE}/{id}"), &sa.token, Some(json!({ "url": "https://10.1.2.3/" }))).await;
    r.expect(422, "url_not_allowed");

    // The test flag admits loopback and plain http — nothing else inward.
    let h = h.with_state(|s| s.with_webhook_settings(WebhookSettings { allow_loopback: true, ..Default::default() }));
    for ok in ["http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://[::ffff:127.0.0.1]:9/hook"] {
        let r = h.authed(Method::POST, BASE, &sa.token, Some(json!({ "url": ok, "event_types": ["*"] }))).await;
        r.ok(201);
    }
    for url in ["http://169.254.169.254/", "http://10.0.0.1/", "https://[fd00::1]/"] {
        let r = h.authed(Method::POST, BASE, &sa.token, Some(json!({ "url": url, "event_types": ["*"] }))).await;
        r.expect(422, "url_not_allowed");
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn only_super_admins_manage_webhooks_and_the_secret_is_shown_only_twice(pool: PgPool) {
    let h = harness(pool).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let body = json!({ "url": "https://hooks.example.com/in", "event_types": ["order.paid"], "description": "crm" });
    for role in [Role::Moderator, Role::CustomerSupport, Role::SupportBot] {
        let other = staff(&h, role).await;
        h.authed(Method::GET, BASE, &other.token, None).await.expect(403, "permission_denied");
        h.authed(Method::POST, BASE, &other.token, Some(body.clone())).await.expect(403, "permission_denied");
    }
    let no_mfa = staff_without_mfa(&h, Role::SuperAdmin).await;
    h.authed(Method::GET, BASE, &no_mfa.token, None).await.ok(200);
    h.authed(Method::POST, BASE, &no_mfa.token, Some(body.clone())).await.expect(403, "mfa_required");

    let (ep, secret) = create(&h, &sa.token, "https://hooks.example.com/in", json!(["order.paid"])).await;
    let id = ep["id"].as_str().unwrap();
    let rotated = h.authed(Method::POST, &format!("{BASE}/{id}/rotate-secret"), &sa.token, None).await;
    let secret2 = rotated.ok(200)["secret"].as_str().unwrap().to_owned();
    let patched = h
        .authed(
            Method::PATCH,
            &format!("{BASE}/{id}"),
            &sa.token,
            Some(json!({ "description": null, "event_types": ["ticket.*"] })),
        )
        .await;
    assert_eq!(patched.ok(200)["description"], Value::Null);
    assert_eq!(patched.body["event_types"], json!(["ticket.*"]));
    h.authed(Method::POST, &format!("{BASE}/{id}/test"), &sa.token, None).await.ok(202);

    let answers = [
        h.authed(Method::GET, &format!("{BASE}/{id}"), &sa.token, None).await,
        h.authed(Method::GET, BASE, &sa.token, None).await,
        h.authed(Method::GET, &format!("{BASE}/{id}/deliveries"), &sa.token, None).await,
        h.authed(Method::GET, "/api/v1/admin/audit?limit=100", &sa.token, None).await,
    ];
    for a in &answers {
        let text = a.ok(200).to_string();
        for s in [&secret, &secret2] {
            assert!(!text.contains(s.as_str()) && !text.contains(&s["whsec_".len()..]), "secret in {text}");
        }
        assert!(!text.contains("whsec_"), "{text}");
    }
    let audit: Vec<(String, Option<Value>, Option<Value>)> = sqlx::query_as(
        "SELECT action, before, after FROM staff.audit_log WHERE target_type LIKE 'webhook%' ORDER BY at",
    )
    .fetch_all(&h.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "webhook_endpoint.create",
            "webhook_endpoint.rotate_secret",
            "webhook_endpoint.update",
            "webhook_endpoint.test"
        ]
    );
    let stored = sqlx::query_scalar::<_, String>("SELECT secret_sealed FROM notify.webhook_endpoints")
        .fetch_one(&h.pool)
        .await
        .unwrap();
    assert!(!stored.contains(&secret2["whsec_".len()..]), "the secret is stored sealed");
    for (_, before, after) in &audit {
        let text = format!("{before:?}{after:?}");
        assert!(!text.contains("whsec_") && !text.contains(&secret2["whsec_".len()..]), "{text}");
    }

    h.authed(Method::DELETE, &format!("{BASE}/{id}"), &sa.token, None).await.ok(204);
    h.authed(Method::GET, &format!("{BASE}/{id}"), &sa.token, None).await.expect(404, "not_found");
    h.authed(Method::DELETE, &format!("{BASE}/{id}"), &sa.token, None).await.expect(404, "not_found");
    assert_eq!(crate::support::count(&h.pool, "SELECT count(*) FROM notify.webhook_deliveries").await, 0);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn grpc_manages_webhooks_with_the_rest_rules(pool: PgPool) {
    let h = harness(pool).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let moderator = staff(&h, Role::Moderator).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    tokio::spawn(helium_api::grpc::serve(listener, h.state.clone(), stop.clone(), false));
    let mut channel = None;
    for _ in 0..100 {
        if let Ok(ch) = tonic::transport::Endpoint::from_shared(url.clone()).unwrap().connect().await {
            channel = Some(ch);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut client = WebhookServiceClient::new(channel.expect("gRPC server"));
    fn bearer<T>(token: &str, msg: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(msg);
        r.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
        r
    }
    let code = |s: &tonic::Status| s.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()).map(str::to_owned);

    let create = |url: &str| pb::CreateWebhookEndpointRequest {
        url: url.into(),
        description: None,
        event_types: vec!["order.paid".into()],
        enabled: None,
    };
    let e = client.create_webhook_endpoint(bearer(&sa.token, create("https://169.254.169.254/"))).await.unwrap_err();
    assert_eq!((e.code(), code(&e).as_deref()), (tonic::Code::InvalidArgument, Some("url_not_allowed")));
    let e = client.create_webhook_endpoint(bearer(&moderator.token, create("https://hooks.example.com/"))).await;
    assert_eq!(e.unwrap_err().code(), tonic::Code::PermissionDenied);
    let made = client
        .create_webhook_endpoint(bearer(&sa.token, create("https://hooks.example.com/")))
        .await
        .unwrap()
        .into_inner();
    assert!(made.secret.starts_with("whsec_"));
    let id = made.endpoint.unwrap().id;
    let list = client
        .list_webhook_endpoints(bearer(&sa.token, pb::ListWebhookEndpointsRequest { limit: None, cursor: None }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.items.len(), 1);
    let off = pb::UpdateWebhookEndpointRequest { id: id.clone(), enabled: Some(false), ..Default::default() };
    assert!(!client.update_webhook_endpoint(bearer(&sa.token, off)).await.unwrap().into_inner().enabled);
    let e = client.send_test_webhook(bearer(&sa.token, pb::WebhookEndpointIdRequest { id: id.clone() })).await;
    let e = e.unwrap_err();
    assert_eq!((e.code(), code(&e).as_deref()), (tonic::Code::FailedPrecondition, Some("endpoint_disabled")));
    let rotated = client
        .rotate_webhook_secret(bearer(
            &sa.token,
            pb::RotateWebhookSecretRequest { id: id.clone(), grace_secs: Some(10) },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(rotated.secret.starts_with("whsec_") && rotated.secret != made.secret);
    let got = client.get_webhook_endpoint(bearer(&sa.token, pb::WebhookEndpointIdRequest { id: id.clone() })).await;
    assert!(got.unwrap().into_inner().previous_secret_expires_at.is_some());
    let deliveries =
        pb::ListWebhookDeliveriesRequest { id: id.clone(), status: Some("bogus".into()), ..Default::default() };
    let e = client.list_webhook_deliveries(bearer(&sa.token, deliveries)).await.unwrap_err();
    assert_eq!(code(&e).as_deref(), Some("validation_failed"));
    client.delete_webhook_endpoint(bearer(&sa.token, pb::WebhookEndpointIdRequest { id: id.clone() })).await.unwrap();
    let e = client.get_webhook_endpoint(bearer(&sa.token, pb::WebhookEndpointIdRequest { id })).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn finished_deliveries_are_purged_after_thirty_days(pool: PgPool) {
    use helium_infra::cron::{Job, JobContext};
    let h = hooks_harness(pool, &[0.1]).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let rx = Receiver::start(vec![]).await;
    let (ep, _) = create(&h, &sa.token, &rx.url, json!(["*"])).await;
    let id = ep["id"].as_str().unwrap();
    consume(&h, &event("order.paid", json!({}))).await;
    send_until(&h, &sa.token, id, |b| b["items"][0]["status"] == "delivered").await;
    consume(&h, &event("order.cancelled", json!({}))).await; // still pending: never purged
    sqlx::query("UPDATE notify.webhook_deliveries SET updated_at = now() - interval '31 days'")
        .execute(&h.pool)
        .await
        .unwrap();
    let ctx = JobContext { db: h.state.db.clone(), config: h.state.config.clone(), keys: h.state.keys.clone() };
    let purged = helium_infra::notify::webhooks::jobs::PurgeWebhookDeliveries.run(&ctx).await.unwrap();
    assert_eq!(purged, 1);
    let left: Vec<String> =
        sqlx::query_scalar("SELECT status FROM notify.webhook_deliveries").fetch_all(&h.pool).await.unwrap();
    assert_eq!(left, ["pending"]);
    assert_eq!(crate::support::count(&h.pool, "SELECT count(*) FROM notify.webhook_attempts").await, 0);
}
