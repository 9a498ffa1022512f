//! Plumbing of the customer-identity flow tests: the real router in-process, a recorder of
//! every response (to prove e-mailed secrets never leak over HTTP), outbox readers, users
//! made straight in the database, and hand-made JWTs (base64url + HMAC from `sha2`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use helium_api::http::rate_limit::{Limit, RateLimits, RouteClass};
use helium_api::mode::WorkMode;
use helium_api::state::AppState;
use helium_domain::config::{AuthConfig, ConfigKind, ModuleConfig};
use helium_infra::{MqHandle, RedisHandle};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::Digest;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use super::REDIS_URL;
/// The peer address every request comes from unless a test says otherwise.
pub const PEER: &str = "127.0.0.1:40000";
pub const GOOD_PASSWORD: &str = "correct horse battery";

#[derive(Clone)]
pub struct Harness {
    pub app: Router,
    pub state: AppState,
    pub pool: PgPool,
    seen: Arc<Mutex<Vec<String>>>,
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body without `request_id`, for "identical except the request id" comparisons.
    pub fn anonymous(&self) -> Value {
        let mut body = self.body.clone();
        if let Some(o) = body.as_object_mut() {
            o.remove("request_id");
        }
        body
    }

    /// Asserts status and problem code, with the body in the failure message.
    #[track_caller]
    pub fn expect(&self, status: u16, code: &str) -> &Self {
        assert_eq!((self.status.as_u16(), self.code()), (status, code), "{}", self.body);
        self
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        &self.body
    }
}

/// Real router and state; Auth, Read and Write limits raised to 10 000/60 s except the
/// classes in `limits` (requests per 60 s).
pub async fn harness_with(pool: PgPool, redis_url: &str, limits: &[(RouteClass, u64)]) -> Harness {
    let redis = RedisHandle::new(redis_url, format!("test:{}:", Uuid::new_v4())).unwrap();
    let mut rl = RateLimits::default();
    for class in RouteClass::ALL {
        let given = limits.iter().find(|(c, _)| *c == class).map(|(_, n)| *n);
        let requests = match class {
            RouteClass::Auth | RouteClass::Read | RouteClass::Write => given.unwrap_or(10_000),
            _ => match given {
                Some(n) => n,
                None => continue,
            },
        };
        rl = rl.with_limit(class, Limit { requests, window_secs: 60 });
    }
    let state =
        AppState::new(pool.clone(), redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f")).with_rate_limits(rl);
    state.config.ensure_defaults().await.unwrap();
    // As the server does at start-up: the data key exists before any use case seals with it.
    state.keys.load(&state.db).await.unwrap();
    let app = helium_api::app::build(WorkMode::Api, state.clone());
    Harness { app, state, pool, seen: Arc::default() }
}

pub async fn harness(pool: PgPool) -> Harness {
    harness_with(pool, REDIS_URL, &[]).await
}

/// Sleeps into the start of the next fixed 60 s window when the current one is nearly over,
/// so a short burst of requests is counted in one window.
pub async fn early_in_window() {
    let into_window = chrono::Utc::now().timestamp() % 60;
    if into_window > 40 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - into_window) as u64)).await;
    }
}

/// A request as a client at `PEER` sends it.
pub fn request(method: Method, path: &str, bearer: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path).header(header::USER_AGENT, "auth-flows-test");
    if let Some(token) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut req = match body {
        Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .unwrap();
    req.extensions_mut().insert(ConnectInfo(PEER.parse::<SocketAddr>().unwrap()));
    req
}

impl Harness {
    /// The same harness over a changed state (e.g. other webhook settings), router rebuilt.
    pub fn with_state(mut self, edit: impl FnOnce(AppState) -> AppState) -> Self {
        self.state = edit(self.state.clone());
        self.app = helium_api::app::build(WorkMode::Api, self.state.clone());
        self
    }

    /// The same harness serving every HTTP mode's routes (subscriptions, gateway callbacks).
    pub fn all_modes(mut self) -> Self {
        self.app = helium_api::app::build(WorkMode::All, self.state.clone());
        self
    }

    pub async fn call(&self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        self.seen.lock().unwrap().push(format!("{:?}\n{:?}\n{text}", parts.status, parts.headers));
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status: parts.status, headers: parts.headers, body }
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(request(Method::POST, path, None, Some(&body))).await
    }

    pub async fn authed(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Resp {
        self.call(request(method, path, Some(token), body.as_ref())).await
    }

    pub async fn me(&self, token: &str) -> Resp {
        self.authed(Method::GET, "/api/v1/me", token, None).await
    }

    pub async fn register(&self, email: &str) -> Resp {
        self.post("/api/v1/auth/register", json!({ "email": email })).await
    }

    pub async fn complete(&self, token: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/register/complete", json!({ "token": token, "password": password })).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/login", json!({ "email": email, "password": password })).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Resp {
        self.post("/api/v1/auth/token/refresh", json!({ "refresh_token": refresh_token })).await
    }

    /// Signs in and returns (access token, refresh token).
    pub async fn session(&self, email: &str, password: &str) -> (String, String) {
        let res = self.login(email, password).await;
        let body = res.ok(200);
        (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
    }

    /// Registers through the API and returns the token of the e-mailed link.
    pub async fn link_for(&self, email: &str) -> String {
        self.register(email).await.ok(202);
        let mails = emails(&self.pool, email).await;
        let link = mails.last().unwrap()["context"]["link"].as_str().unwrap().to_owned();
        link.split_once("?token=").unwrap().1.to_owned()
    }

    /// Panics when `secret` appeared in any response (status, headers or body) so far.
    #[track_caller]
    pub fn assert_never_answered(&self, secret: &str) {
        let seen = self.seen.lock().unwrap();
        assert!(seen.len() > 1, "nothing recorded");
        assert!(!seen.iter().any(|r| r.contains(secret)), "a response carried the e-mailed token");
    }

    pub async fn auth_config(&self) -> AuthConfig {
        match self.state.config.module(ConfigKind::Auth).await.unwrap() {
            ModuleConfig::Auth(a) => a,
            other => panic!("unexpected config {other:?}"),
        }
    }
}

pub use super::mail::emails;

pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap()
}

/// Creates an active account with `password` straight in the database.
pub async fn create_user(pool: &PgPool, email: &str, password: &str) -> Uuid {
    let hash = helium_infra::identity::password::hash(password.to_owned()).await.unwrap();
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO auth.users (id, email, password_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(email)
        .bind(hash)
        .execute(pool)
        .await
        .unwrap();
    id
}

pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

pub async fn set_register_domain(h: &Harness, policy: Value) {
    let mut value = h.state.config.get(ConfigKind::Auth).await.unwrap().value;
    value["email_provider"]["register_domain"] = policy;
    h.state.config.put(ConfigKind::Auth, &value, None).await.unwrap();
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn b64url(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn b64url_decode(text: &str) -> Vec<u8> {
    let vals: Vec<u32> = text.bytes().map(|c| B64.iter().position(|b| *b == c).unwrap() as u32).collect();
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// (header, claims) of a compact JWT, without verifying anything.
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let decode = |p: &str| serde_json::from_slice::<Value>(&b64url_decode(p)).unwrap();
    (decode(parts[0]), decode(parts[1]))
}

/// RFC 2104 HMAC over any `sha2` hash (block 64 for SHA-256, 128 for SHA-512).
pub fn hmac<D: Digest>(block: usize, key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > block { D::digest(key).to_vec() } else { key.to_vec() };
    k.resize(block, 0);
    let pad = |byte: u8| k.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = D::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    D::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
}

/// A compact JWT with the given header and claims; `alg` picks the signature
/// (`HS256`, `HS512` or anything else for an empty one).
pub fn make_jwt(header: &Value, claims: &Value, key: &[u8]) -> String {
    let signing_input = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let sig = match header["alg"].as_str() {
        Some("HS256") => hmac::<sha2::Sha256>(64, key, signing_input.as_bytes()),
        Some("HS512") => hmac::<sha2::Sha512>(128, key, signing_input.as_bytes()),
        _ => Vec::new(),
    };
    format!("{signing_input}.{}", b64url(&sig))
}
