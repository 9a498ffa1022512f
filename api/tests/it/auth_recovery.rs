//! Password reset/change and e-mail code sign-in, in-process against the real router:
//! enumeration resistance, session revocation, code burning and single use under races.
//!
//! Accounts are made through the API (register → complete); e-mailed links and codes are read
//! from the `email.requested` events in the outbox.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use helium_api::http::rate_limit::{Limit, RateLimits, RouteClass};
use helium_api::mode::WorkMode;
use helium_api::state::AppState;
use helium_infra::{MqHandle, RedisHandle};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt;
use uuid::Uuid;

const PASSWORD: &str = "Correct-Horse-7-Battery";
const NEW_PASSWORD: &str = "Staple-Battery-9-Horse";
const RACERS: usize = 20;

#[derive(Clone)]
struct App {
    router: Router,
    pool: PgPool,
}

#[derive(Debug, Clone)]
struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
    body: Value,
}

impl Resp {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    fn expect(&self, status: u16, code: &str) {
        assert_eq!((self.status.as_u16(), self.code()), (status, code), "{}", self.text());
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text());
    }

    #[track_caller]
    fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        &self.body
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The raw body with the request id (if any) blanked: what must be byte-identical.
    fn without_request_id(&self) -> String {
        let text = self.text();
        match self.body["request_id"].as_str() {
            Some(id) => text.replace(&format!("\"{id}\""), "\"<request_id>\""),
            None => text,
        }
    }
}

/// The real router in API mode with the auth rate limit out of the way.
async fn app(pool: PgPool) -> App {
    let redis = RedisHandle::new("redis://127.0.0.1:6379", format!("test:{}:", Uuid::new_v4())).unwrap();
    let limits = RateLimits::default()
        .with_limit(RouteClass::Auth, Limit { requests: 10_000, window_secs: 60 })
        .with_limit(RouteClass::Read, Limit { requests: 10_000, window_secs: 60 })
        .with_limit(RouteClass::Write, Limit { requests: 10_000, window_secs: 60 });
    let state = AppState::new(pool.clone(), redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f"))
        .with_rate_limits(limits);
    state.config.ensure_defaults().await.unwrap();
    App { router: helium_api::app::build(WorkMode::Api, state), pool }
}

/// A pool large enough that racing requests really run side by side (the default test pool
/// has 5 connections). Close it before the test returns.
async fn wide_pool(connect: PgConnectOptions) -> PgPool {
    PgPoolOptions::new().max_connections(RACERS as u32 + 5).connect_with(connect).await.unwrap()
}

fn email(label: &str) -> String {
    format!("{label}-{}@example.test", &Uuid::new_v4().simple().to_string()[..12])
}

impl App {
    async fn call(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> Resp {
        let mut b = Request::builder().method(method).uri(path).header(header::USER_AGENT, "auth-recovery-test");
        if let Some(token) = bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes().to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status: parts.status, headers: parts.headers, bytes, body }
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, None, Some(body)).await
    }

    async fn me(&self, access: &str) -> Resp {
        self.call(Method::GET, "/api/v1/me", Some(access), None).await
    }

    async fn refresh(&self, refresh: &str) -> Resp {
        self.post("/api/v1/auth/token/refresh", json!({ "refresh_token": refresh })).await
    }

    async fn login(&self, email: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/login", json!({ "email": email, "password": password })).await
    }

    async fn forgot(&self, email: &str) -> Resp {
        self.post("/api/v1/auth/password/forgot", json!({ "email": email })).await
    }

    async fn reset(&self, token: &str, new_password: &str) -> Resp {
        self.post("/api/v1/auth/password/reset", json!({ "token": token, "new_password": new_password })).await
    }

    async fn change(&self, access: &str, current: &str, new_password: &str) -> Resp {
        let body = json!({ "current_password": current, "new_password": new_password });
        self.call(Method::POST, "/api/v1/auth/password/change", Some(access), Some(body)).await
    }

    async fn request_code(&self, email: &str) -> Resp {
        self.post("/api/v1/auth/login/email-code", json!({ "email": email })).await
    }

    async fn verify_code(&self, email: &str, code: &str) -> Resp {
        self.post("/api/v1/auth/login/email-code/verify", json!({ "email": email, "code": code })).await
    }

    /// Registers and completes the sign-up through the API: (user id, first session).
    async fn sign_up(&self, email: &str) -> (Uuid, Session) {
        self.post("/api/v1/auth/register", json!({ "email": email })).await.ok(202);
        let link = self.mail(email, "register_magic_link").await["link"].as_str().unwrap().to_owned();
        let token = link.split_once("?token=").unwrap().1.to_owned();
        let res = self.post("/api/v1/auth/register/complete", json!({ "token": token, "password": PASSWORD })).await;
        let body = res.ok(201);
        let id = body["account"]["id"].as_str().unwrap().parse().unwrap();
        (id, Session::from_pair(&body["tokens"]))
    }

    /// A new session by e-mail and password.
    async fn session(&self, email: &str, password: &str) -> Session {
        Session::from_pair(self.login(email, password).await.ok(200))
    }

    /// Context of the newest `email.requested` event of `template` to `to`.
    async fn mail(&self, to: &str, template: &str) -> Value {
        let mails = crate::support::mail::emails(&self.pool, to).await;
        let mail = mails.into_iter().rev().find(|m| m["template"] == template);
        mail.unwrap_or_else(|| panic!("no {template} e-mail to {to}"))["context"].clone()
    }

    async fn mail_count(&self, to: &str, template: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE event_type = 'email.requested'
             AND payload->>'to' = $1 AND payload->>'template' = $2",
        )
        .bind(to)
        .bind(template)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    /// Every e-mail to `to` except the sign-up one.
    async fn non_signup_mails(&self, to: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE event_type = 'email.requested'
             AND payload->>'to' = $1 AND payload->>'template' <> 'register_magic_link'",
        )
        .bind(to)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    async fn reset_token(&self, to: &str) -> String {
        let link = self.mail(to, "password_reset").await["link"].as_str().unwrap().to_owned();
        let (path, token) = link.split_once("?token=").unwrap();
        assert!(path.ends_with("/password/reset"), "reset link points at /password/reset: {link}");
        token.to_owned()
    }

    async fn code(&self, to: &str) -> String {
        let code = self.mail(to, "sign_in_code").await["code"].as_str().unwrap().to_owned();
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "six digits: {code}");
        code
    }

    async fn ban(&self, email: &str) {
        sqlx::query("UPDATE auth.users SET status = 'banned' WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    async fn password_changed_events(&self, user: Uuid) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE event_type = 'user.password_changed' AND payload->>'user_id' = $1",
        )
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    async fn live_sessions(&self, user: Uuid) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM auth.sessions WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

#[derive(Debug, Clone)]
struct Session {
    access: String,
    refresh: String,
}

impl Session {
    fn from_pair(pair: &Value) -> Self {
        assert_eq!(pair["token_type"], "Bearer", "{pair}");
        Session {
            access: pair["access_token"].as_str().unwrap().to_owned(),
            refresh: pair["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}

/// A six-digit code different from `code`.
fn wrong_code(code: &str, offset: u32) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + offset) % 1_000_000)
}

/// Asserts the responses are the same status, content type and body (request id aside).
#[track_caller]
fn assert_identical(what: &str, responses: &[(&str, &Resp)]) {
    let (first_name, first) = responses[0];
    for (name, r) in &responses[1..] {
        assert_eq!(r.status, first.status, "{what}: status of {name} vs {first_name}");
        assert_eq!(r.header("content-type"), first.header("content-type"), "{what}: content type of {name}");
        assert_eq!(
            r.without_request_id(),
            first.without_request_id(),
            "{what}: body of {name} must match {first_name} byte for byte (request_id aside)"
        );
    }
}

// ------------------------------------------------------------------ enumeration

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn forgot_password_answers_alike_for_existing_unknown_and_banned(pool: PgPool) {
    let app = app(pool).await;
    let active = email("active");
    let banned = email("banned");
    let unknown = email("unknown");
    app.sign_up(&active).await;
    app.sign_up(&banned).await;
    app.ban(&banned).await;

    let first = [app.forgot(&active).await, app.forgot(&unknown).await, app.forgot(&banned).await];
    assert_eq!(first[0].ok(202), &json!({ "status": "accepted" }));
    assert_identical("forgot", &[("existing", &first[0]), ("unknown", &first[1]), ("banned", &first[2])]);

    // Inside the resend window every address is throttled the same way.
    let again = [app.forgot(&active).await, app.forgot(&unknown).await, app.forgot(&banned).await];
    again[0].expect(429, "resend_too_soon");
    for r in &again {
        let secs: u64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
        assert!((1..=30).contains(&secs), "Retry-After {secs}");
    }
    assert_identical("forgot again", &[("existing", &again[0]), ("unknown", &again[1]), ("banned", &again[2])]);

    assert_eq!(app.mail_count(&active, "password_reset").await, 1, "the active account gets one link");
    assert_eq!(app.non_signup_mails(&unknown).await, 0, "an unknown address gets nothing");
    assert_eq!(app.non_signup_mails(&banned).await, 0, "a banned account gets nothing");
    app.reset_token(&active).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn reset_password_rejections_do_not_reveal_the_address(pool: PgPool) {
    let app = app(pool).await;
    let active = email("active");
    app.sign_up(&active).await;
    app.forgot(&active).await.ok(202);
    let used = app.reset_token(&active).await;
    app.reset(&used, NEW_PASSWORD).await.ok(204);

    // A link minted for an address without an account (what /forgot stores for it).
    let unknown_token = helium_infra::identity::tokens::opaque_token();
    sqlx::query(
        "INSERT INTO auth.one_time_tokens (token_hash, kind, purpose, email, subject_id, expires_at)
         VALUES ($1, 'magic_link', 'password_reset', $2, NULL, now() + interval '30 minutes')",
    )
    .bind(helium_infra::identity::tokens::token_hash(&unknown_token))
    .bind(email("unknown"))
    .execute(&app.pool)
    .await
    .unwrap();

    let used = app.reset(&used, "Another-Password-42").await;
    let never_issued = app.reset(&helium_infra::identity::tokens::opaque_token(), NEW_PASSWORD).await;
    let for_unknown = app.reset(&unknown_token, NEW_PASSWORD).await;
    used.expect(410, "link_invalid");
    assert_identical(
        "reset rejections",
        &[("used link", &used), ("never issued", &never_issued), ("unknown address", &for_unknown)],
    );
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn email_code_answers_alike_for_existing_unknown_and_banned(pool: PgPool) {
    let app = app(pool).await;
    let active = email("active");
    let banned = email("banned");
    let unknown = email("unknown");
    app.sign_up(&active).await;
    app.sign_up(&banned).await;
    app.ban(&banned).await;

    let first = [app.request_code(&active).await, app.request_code(&unknown).await, app.request_code(&banned).await];
    assert_eq!(first[0].ok(202), &json!({ "status": "accepted" }));
    assert_identical("email-code", &[("existing", &first[0]), ("unknown", &first[1]), ("banned", &first[2])]);

    let again = [app.request_code(&active).await, app.request_code(&unknown).await, app.request_code(&banned).await];
    again[0].expect(429, "resend_too_soon");
    assert_identical("email-code again", &[("existing", &again[0]), ("unknown", &again[1]), ("banned", &again[2])]);

    assert_eq!(app.mail_count(&active, "sign_in_code").await, 1, "the active account gets one code");
    assert_eq!(app.non_signup_mails(&unknown).await, 0, "an unknown address gets nothing");
    assert_eq!(app.non_signup_mails(&banned).await, 0, "a banned account gets nothing");

    // A wrong code looks the same whoever the address belongs to.
    let code = app.code(&active).await;
    let wrong = wrong_code(&code, 1);
    let verify = [
        app.verify_code(&active, &wrong).await,
        app.verify_code(&unknown, &wrong).await,
        app.verify_code(&banned, &wrong).await,
    ];
    verify[0].expect(401, "invalid_code");
    assert_identical("verify wrong code", &[("existing", &verify[0]), ("unknown", &verify[1]), ("banned", &verify[2])]);
}

// ------------------------------------------------------------------ sessions

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn reset_revokes_every_session_at_once(pool: PgPool) {
    let app = app(pool).await;
    let addr = email("reset");
    let (user, first) = app.sign_up(&addr).await;
    let sessions = [first, app.session(&addr, PASSWORD).await, app.session(&addr, PASSWORD).await];
    for s in &sessions {
        app.me(&s.access).await.ok(200); // the session check is now cached
    }
    assert_eq!(app.live_sessions(user).await, 3);

    app.forgot(&addr).await.ok(202);
    let token = app.reset_token(&addr).await;
    app.reset(&token, NEW_PASSWORD).await.ok(204);

    let checks = futures::future::join_all(sessions.iter().map(|s| app.me(&s.access))).await;
    for (i, r) in checks.iter().enumerate() {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "access token of session {i}: {}", r.text());
        r.expect(401, "unauthenticated");
    }
    for (i, s) in sessions.iter().enumerate() {
        let r = app.refresh(&s.refresh).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "refresh token of session {i}: {}", r.text());
    }
    assert_eq!(app.live_sessions(user).await, 0);
    assert_eq!(app.password_changed_events(user).await, 1);
    assert_eq!(app.mail_count(&addr, "security_password_changed").await, 1);

    app.login(&addr, PASSWORD).await.expect(401, "invalid_credentials");
    let fresh = app.session(&addr, NEW_PASSWORD).await;
    app.me(&fresh.access).await.ok(200);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn change_keeps_the_current_session_and_ends_the_others(pool: PgPool) {
    let app = app(pool).await;
    let addr = email("change");
    let (user, first) = app.sign_up(&addr).await;
    let second = app.session(&addr, PASSWORD).await;
    let current = app.session(&addr, PASSWORD).await;
    for s in [&first, &second, &current] {
        app.me(&s.access).await.ok(200);
    }

    app.change(&current.access, "not-my-password", NEW_PASSWORD).await.expect(403, "reauth_failed");
    assert_eq!(app.live_sessions(user).await, 3, "a failed change ends nothing");

    app.change(&current.access, PASSWORD, NEW_PASSWORD).await.ok(204);

    assert_eq!(app.me(&current.access).await.ok(200)["email"], addr.as_str());
    for (name, s) in [("first", &first), ("second", &second)] {
        app.me(&s.access).await.expect(401, "unauthenticated");
        let r = app.refresh(&s.refresh).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "refresh token of the {name} session: {}", r.text());
    }
    assert_eq!(app.live_sessions(user).await, 1);
    let rotated = Session::from_pair(app.refresh(&current.refresh).await.ok(200));
    app.me(&rotated.access).await.ok(200);

    app.login(&addr, PASSWORD).await.expect(401, "invalid_credentials");
    app.session(&addr, NEW_PASSWORD).await;
    assert_eq!(app.password_changed_events(user).await, 1);
    assert_eq!(app.mail_count(&addr, "security_password_changed").await, 1);
}

// ------------------------------------------------------------------ e-mail codes

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn five_wrong_codes_stop_the_account_across_codes(pool: PgPool) {
    let app = app(pool).await;
    let addr = email("burn");
    app.sign_up(&addr).await;
    app.request_code(&addr).await.ok(202);
    let code = app.code(&addr).await;
    for i in 1..=5 {
        app.verify_code(&addr, &wrong_code(&code, i)).await.expect(401, "invalid_code");
    }
    // The sixth try is refused before it is checked, the right code included…
    app.verify_code(&addr, &code).await.expect(429, "too_many_attempts");
    // …and a new code does not give five fresh guesses: failures count per account, not per code.
    sqlx::query("UPDATE auth.one_time_tokens SET created_at = created_at - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.request_code(&addr).await.ok(202);
    let fresh = app.code(&addr).await;
    app.verify_code(&addr, &fresh).await.expect(429, "too_many_attempts");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_code_works_once(pool: PgPool) {
    let app = app(pool).await;
    let addr = email("once");
    let (user, _) = app.sign_up(&addr).await;
    app.request_code(&addr).await.ok(202);
    let code = app.code(&addr).await;
    let session = Session::from_pair(app.verify_code(&addr, &code).await.ok(200));
    assert_eq!(app.me(&session.access).await.ok(200)["id"], user.to_string());
    app.verify_code(&addr, &code).await.expect(401, "invalid_code");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_banned_account_with_the_right_code_is_refused(pool: PgPool) {
    let app = app(pool).await;
    let addr = email("banned");
    app.sign_up(&addr).await;
    app.request_code(&addr).await.ok(202);
    let code = app.code(&addr).await;
    app.ban(&addr).await;
    app.verify_code(&addr, &code).await.expect(403, "account_banned");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn concurrent_verifications_of_one_code_sign_in_once(_opts: PgPoolOptions, connect: PgConnectOptions) {
    let pool = wide_pool(connect).await;
    let app = app(pool.clone()).await;
    let addr = email("race");
    let (user, _) = app.sign_up(&addr).await;
    app.request_code(&addr).await.ok(202);
    let code = app.code(&addr).await;

    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let racers = (0..RACERS).map(|_| {
        let (app, addr, code, barrier) = (app.clone(), addr.clone(), code.clone(), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            app.verify_code(&addr, &code).await
        })
    });
    let results: Vec<Resp> = futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let won: Vec<&Resp> = results.iter().filter(|r| r.status == StatusCode::OK).collect();
    assert_eq!(
        won.len(),
        1,
        "exactly one verification signs in: {:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    // Losers find the code spent (401) or, past the five failures an account may have, 429.
    for r in results.iter().filter(|r| r.status != StatusCode::OK) {
        let answer = (r.status.as_u16(), r.code());
        assert!(answer == (401, "invalid_code") || answer == (429, "too_many_attempts"), "{:?}", r.body);
    }
    assert_eq!(app.live_sessions(user).await, 2, "sign-up plus exactly one code sign-in");
    pool.close().await;
}

// ------------------------------------------------------------------ reset link races

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn concurrent_resets_with_one_link_succeed_once(_opts: PgPoolOptions, connect: PgConnectOptions) {
    let pool = wide_pool(connect).await;
    let app = app(pool.clone()).await;
    let addr = email("race");
    let (user, _) = app.sign_up(&addr).await;
    app.forgot(&addr).await.ok(202);
    let token = app.reset_token(&addr).await;

    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let racers = (0..RACERS).map(|i| {
        let (app, token, barrier) = (app.clone(), token.clone(), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            app.reset(&token, &format!("{NEW_PASSWORD}-{i}")).await
        })
    });
    let results: Vec<Resp> = futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let winners: Vec<usize> = (0..RACERS).filter(|i| results[*i].status == StatusCode::NO_CONTENT).collect();
    assert_eq!(winners.len(), 1, "exactly one reset: {:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in results.iter().filter(|r| r.status != StatusCode::NO_CONTENT) {
        r.expect(410, "link_invalid");
    }
    assert_eq!(app.password_changed_events(user).await, 1);
    assert_eq!(app.mail_count(&addr, "security_password_changed").await, 1);

    // The winner's password is the one that holds.
    let winner = winners[0];
    app.session(&addr, &format!("{NEW_PASSWORD}-{winner}")).await;
    let loser = (winner + 1) % RACERS;
    app.login(&addr, &format!("{NEW_PASSWORD}-{loser}")).await.expect(401, "invalid_credentials");
    pool.close().await;
}
