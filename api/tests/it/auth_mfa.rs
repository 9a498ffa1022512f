//! TOTP MFA, in-process against the real router: setup/enable/disable, the sign-in challenge
//! (password and e-mail code), loginMfa with TOTP and recovery codes, replay refusal under a
//! race, session revocation and the data at rest.
//!
//! Codes are computed from the base32 secret that setup returns. Each account enables at the
//! previous 30 s step `e` and then uses `e + 1`, the current one (the server accepts the
//! previous and the current step, each once); further second factors within a test are recovery codes, so no test waits.

use crate::support::totp::{base32_decode, now_step, totp, wrong_totp};
use std::collections::HashSet;
use std::sync::Arc;

use crate::support::{Harness, Resp, emails, harness, make_jwt};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

const PASSWORD: &str = "Correct-Horse-7-Battery";
const RACERS: usize = 20;

fn email(label: &str) -> String {
    format!("{label}-{}@example.test", &Uuid::new_v4().simple().to_string()[..12])
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An account with MFA on.
struct Account {
    id: Uuid,
    email: String,
    /// Access token of the session that enabled MFA.
    access: String,
    seed: Vec<u8>,
    /// The step whose code enabled MFA; the next use is `step + 1`.
    step: u64,
    recovery: Vec<String>,
}

async fn sign_up(h: &Harness, addr: &str) -> (Uuid, String) {
    let token = h.link_for(addr).await;
    let res = h.complete(&token, PASSWORD).await;
    let body = res.ok(201);
    (body["account"]["id"].as_str().unwrap().parse().unwrap(), body["tokens"]["access_token"].as_str().unwrap().into())
}

async fn setup(h: &Harness, access: &str) -> (String, Vec<u8>, String) {
    let res = h.authed(Method::POST, "/api/v1/auth/mfa/totp/setup", access, None).await;
    let body = res.ok(200);
    let secret = body["secret"].as_str().unwrap().to_owned();
    (secret.clone(), base32_decode(&secret), body["otpauth_uri"].as_str().unwrap().to_owned())
}

async fn enable(h: &Harness, access: &str, code: &str) -> Resp {
    h.authed(Method::POST, "/api/v1/auth/mfa/totp/enable", access, Some(json!({ "code": code }))).await
}

async fn login_mfa(h: &Harness, body: Value) -> Resp {
    h.post("/api/v1/auth/login/mfa", body).await
}

async fn disable(h: &Harness, access: &str, body: Value) -> Resp {
    h.authed(Method::POST, "/api/v1/auth/mfa/totp/disable", access, Some(body)).await
}

async fn regenerate(h: &Harness, access: &str, code: &str) -> Resp {
    h.authed(Method::POST, "/api/v1/auth/mfa/recovery-codes", access, Some(json!({ "code": code }))).await
}

fn recovery_codes(res: &Resp) -> Vec<String> {
    let codes: Vec<String> =
        res.ok(200)["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 10, "distinct: {codes:?}");
    codes
}

async fn mfa_account(h: &Harness, label: &str) -> Account {
    let addr = email(label);
    let (id, access) = sign_up(h, &addr).await;
    let (_, seed, _) = setup(h, &access).await;
    // The previous step, so the next code a test needs (`step + 1`) is the current one.
    // The previous step must still be accepted when the request arrives: not at a step's very end.
    crate::support::totp::early_in_step(5).await;
    let step = now_step() - 1;
    let recovery = recovery_codes(&enable(h, &access, &totp(&seed, step)).await);
    Account { id, email: addr, access, seed, step, recovery }
}

/// The challenge of a first sign-in step: asserts no token is handed out, returns the mfa_token.
#[track_caller]
fn challenge(res: &Resp) -> String {
    let body = res.ok(200);
    let keys: HashSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["mfa_required", "mfa_token"]), "{body}");
    assert_eq!(body["mfa_required"], true);
    body["mfa_token"].as_str().unwrap().to_owned()
}

async fn mfa_token(h: &Harness, addr: &str) -> String {
    challenge(&h.login(addr, PASSWORD).await)
}

/// A TokenPair whose access token works; returns it.
async fn signed_in(h: &Harness, res: &Resp, user: Uuid) -> String {
    let body = res.ok(200);
    assert_eq!(body["token_type"], "Bearer", "{body}");
    assert!(body["refresh_token"].is_string() && body["expires_in"].is_u64(), "{body}");
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(h.me(&access).await.ok(200)["id"], user.to_string());
    access
}

async fn scalar(pool: &PgPool, sql: &str, user: Uuid) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(user).fetch_one(pool).await.unwrap()
}

async fn live_sessions(h: &Harness, user: Uuid) -> i64 {
    scalar(&h.pool, "SELECT count(*) FROM auth.sessions WHERE user_id = $1 AND revoked_at IS NULL", user).await
}

/// `enabled` flags of the `user.mfa_changed` events of `user`, oldest first.
async fn mfa_events(h: &Harness, user: Uuid) -> Vec<Value> {
    sqlx::query_scalar::<_, Value>(
        "SELECT payload->'enabled' FROM outbox WHERE event_type = 'user.mfa_changed' AND payload->>'user_id' = $1
         ORDER BY occurred_at, id",
    )
    .bind(user.to_string())
    .fetch_all(&h.pool)
    .await
    .unwrap()
}

async fn mfa_mails(h: &Harness, addr: &str) -> Vec<Value> {
    emails(&h.pool, addr)
        .await
        .into_iter()
        .filter(|m| m["template"] == "security_mfa_changed")
        .map(|m| m["context"]["enabled"].clone())
        .collect()
}

// ------------------------------------------------------------------ setup and enable

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn setup_and_enable(pool: PgPool) {
    let h = harness(pool).await;
    let addr = email("enable");
    let (user, access) = sign_up(&h, &addr).await;

    enable(&h, &access, "123456").await.expect(409, "mfa_setup_required");

    // A second setup replaces the pending secret: codes of the first one no longer enable.
    let (_, first_seed, _) = setup(&h, &access).await;
    let (secret, seed, uri) = setup(&h, &access).await;
    assert_eq!(secret.len(), 32, "{secret}");
    assert!(secret.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)), "{secret}");
    assert_eq!(seed.len(), 20);
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&url_encode(&addr)), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    let issuer = h.auth_config().await.jwt.issuer;
    let issuer = issuer.trim_start_matches("https://").trim_start_matches("http://");
    assert!(uri.contains(&format!("issuer={}", url_encode(issuer))), "{uri}");

    let step = now_step();
    if totp(&first_seed, step) != totp(&seed, step) {
        enable(&h, &access, &totp(&first_seed, step)).await.expect(403, "reauth_failed");
    }
    enable(&h, &access, &wrong_totp(&seed)).await.expect(403, "reauth_failed");
    enable(&h, &access, "12ab56").await.expect(403, "reauth_failed");
    assert_eq!(h.me(&access).await.ok(200)["mfa_enabled"], false);

    // Other sessions, their checks cached.
    let others: Vec<(String, String)> = [h.session(&addr, PASSWORD).await, h.session(&addr, PASSWORD).await].into();
    for (a, _) in &others {
        h.me(a).await.ok(200);
    }
    assert_eq!(live_sessions(&h, user).await, 3);

    let codes = recovery_codes(&enable(&h, &access, &totp(&seed, step)).await);
    for c in &codes {
        assert_eq!(c.chars().filter(char::is_ascii_alphanumeric).count(), 16, "{c}");
    }

    // The current session keeps working; the others end at once.
    assert_eq!(h.me(&access).await.ok(200)["mfa_enabled"], true);
    for (a, r) in &others {
        h.me(a).await.expect(401, "unauthenticated");
        assert_eq!(h.refresh(r).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(live_sessions(&h, user).await, 1);

    // At rest: the seed is sealed, recovery codes are Argon2id hashes.
    let sealed: String = sqlx::query_scalar("SELECT secret FROM auth.totp WHERE user_id = $1")
        .bind(user)
        .fetch_one(&h.pool)
        .await
        .unwrap();
    assert!(sealed.starts_with("v1."), "{sealed}");
    assert!(!sealed.to_uppercase().contains(&secret), "the stored secret is not the base32 secret");
    let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM auth.recovery_codes WHERE user_id = $1")
        .bind(user)
        .fetch_all(&h.pool)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 10);
    for hash in &hashes {
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!codes.iter().any(|c| hash.contains(c.as_str()) || hash.contains(&c.replace('-', ""))));
    }

    assert_eq!(mfa_events(&h, user).await, vec![json!(true)]);
    assert_eq!(mfa_mails(&h, &addr).await, vec![json!(true)]);

    // Already on: no new setup, no second enable.
    h.authed(Method::POST, "/api/v1/auth/mfa/totp/setup", &access, None).await.expect(409, "mfa_already_enabled");
    enable(&h, &access, &totp(&seed, step + 1)).await.expect(409, "mfa_already_enabled");
    let kept: String = sqlx::query_scalar("SELECT secret FROM auth.totp WHERE user_id = $1")
        .bind(user)
        .fetch_one(&h.pool)
        .await
        .unwrap();
    assert_eq!(kept, sealed, "a refused setup leaves the enabled secret alone");
}

// ------------------------------------------------------------------ sign-in challenge

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn password_and_email_code_sign_ins_answer_a_challenge(pool: PgPool) {
    let h = harness(pool).await;
    let acct = mfa_account(&h, "login").await;
    let token = mfa_token(&h, &acct.email).await;
    h.me(&token).await.expect(401, "unauthenticated");

    let next = totp(&acct.seed, acct.step + 1);
    let before = live_sessions(&h, acct.id).await;
    signed_in(&h, &login_mfa(&h, json!({ "mfa_token": token, "code": next })).await, acct.id).await;
    assert_eq!(live_sessions(&h, acct.id).await, before + 1);

    login_mfa(&h, json!({ "mfa_token": token, "code": next })).await.expect(401, "code_already_used");
    let old = totp(&acct.seed, now_step() - 2);
    login_mfa(&h, json!({ "mfa_token": token, "code": old })).await.expect(401, "invalid_code");
    login_mfa(&h, json!({ "mfa_token": token, "code": wrong_totp(&acct.seed) })).await.expect(401, "invalid_code");
    login_mfa(&h, json!({ "mfa_token": token, "code": "12345" })).await.expect(401, "invalid_code");
    assert_eq!(live_sessions(&h, acct.id).await, before + 1, "refusals open no session");

    // Exactly one of code / recovery_code.
    let r = &acct.recovery[0];
    login_mfa(&h, json!({ "mfa_token": token, "code": next, "recovery_code": r }))
        .await
        .expect(422, "validation_failed");
    login_mfa(&h, json!({ "mfa_token": token })).await.expect(422, "validation_failed");
    login_mfa(&h, json!({ "mfa_token": token, "code": next, "extra": 1 })).await.expect(422, "validation_failed");

    // Sign-in by e-mailed code answers the same challenge.
    h.post("/api/v1/auth/login/email-code", json!({ "email": acct.email })).await.ok(202);
    let mail = emails(&h.pool, &acct.email).await.into_iter().rfind(|m| m["template"] == "sign_in_code").unwrap();
    let code = mail["context"]["code"].as_str().unwrap();
    let res = h.post("/api/v1/auth/login/email-code/verify", json!({ "email": acct.email, "code": code })).await;
    let token = challenge(&res);
    let res = login_mfa(&h, json!({ "mfa_token": token, "recovery_code": acct.recovery[0] })).await;
    signed_in(&h, &res, acct.id).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn bad_mfa_tokens_and_banned_accounts_are_refused(pool: PgPool) {
    let h = harness(pool).await;
    let acct = mfa_account(&h, "token").await;
    let code = wrong_totp(&acct.seed);
    for garbage in ["garbage", "a.b.c", &acct.access] {
        login_mfa(&h, json!({ "mfa_token": garbage, "code": code })).await.expect(401, "mfa_token_invalid");
    }

    // Hand-signed challenges: a live one passes the token check (the wrong code fails after
    // it), an expired one, another typ or a foreign key do not.
    let cfg = h.auth_config().await;
    let now = chrono::Utc::now().timestamp();
    let forge = |exp: i64, typ: &str, key: &str| {
        let claims = json!({
            "iss": cfg.jwt.issuer, "aud": format!("{}_mfa", cfg.jwt.access_audience), "sub": acct.id.to_string(),
            "sid": "", "jti": Uuid::now_v7().to_string(), "iat": now - 400, "nbf": now - 400, "exp": exp, "typ": typ,
        });
        make_jwt(&json!({ "alg": "HS256", "typ": "JWT" }), &claims, key.as_bytes())
    };
    let secret = cfg.jwt.secret.expose();
    let live = forge(now + 200, "mfa", secret);
    login_mfa(&h, json!({ "mfa_token": live, "code": code })).await.expect(401, "invalid_code");
    for (what, token) in [
        ("expired", forge(now - 100, "mfa", secret)),
        ("access typ", forge(now + 200, "access", secret)),
        ("foreign key", forge(now + 200, "mfa", "another-secret-another-secret-xx")),
    ] {
        let res = login_mfa(&h, json!({ "mfa_token": token, "code": totp(&acct.seed, acct.step + 1) })).await;
        assert_eq!((res.status.as_u16(), res.code()), (401, "mfa_token_invalid"), "{what}: {}", res.body);
    }
    // None of the refused tokens spent the next step.
    let res = login_mfa(&h, json!({ "mfa_token": live, "code": totp(&acct.seed, acct.step + 1) })).await;
    signed_in(&h, &res, acct.id).await;

    // A banned account holding a valid challenge cannot finish it.
    let token = mfa_token(&h, &acct.email).await;
    sqlx::query("UPDATE auth.users SET status = 'banned' WHERE id = $1").bind(acct.id).execute(&h.pool).await.unwrap();
    login_mfa(&h, json!({ "mfa_token": token, "recovery_code": acct.recovery[0] })).await.expect(403, "account_banned");
    assert_eq!(live_sessions(&h, acct.id).await, 2, "enabling plus the one forged-token sign-in");
    let unused = "SELECT count(*) FROM auth.recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    assert_eq!(scalar(&h.pool, unused, acct.id).await, 10, "the refused recovery code is not spent");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn concurrent_uses_of_one_code_sign_in_once(_opts: PgPoolOptions, connect: PgConnectOptions) {
    let pool = PgPoolOptions::new().max_connections(RACERS as u32 * 2 + 5).connect_with(connect).await.unwrap();
    let h = harness(pool.clone()).await;
    let acct = mfa_account(&h, "race").await;
    let token = mfa_token(&h, &acct.email).await;
    let code = totp(&acct.seed, acct.step + 1);
    let before = live_sessions(&h, acct.id).await;

    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let racers = (0..RACERS).map(|_| {
        let (h, body, barrier) = (h.clone(), json!({ "mfa_token": token, "code": code }), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            login_mfa(&h, body).await
        })
    });
    let results: Vec<Resp> = futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "exactly one sign-in: {statuses:?}");
    // Losers are replays (401) or, past the five reserved attempts, throttled (429).
    for r in results.iter().filter(|r| r.status != StatusCode::OK) {
        assert!(
            (r.status.as_u16(), r.code()) == (401, "code_already_used")
                || (r.status.as_u16(), r.code()) == (429, "too_many_attempts"),
            "{:?}",
            r.body
        );
    }
    assert_eq!(live_sessions(&h, acct.id).await, before + 1);
    pool.close().await;
}

/// The same race on a pool sized like production (DATABASE_MAX_CONNECTIONS=10, 5 s acquire
/// timeout). Fails today: loginMfa holds a transaction's connection while it reads through the
/// pool for a second one, so ten concurrent requests starve each other and time out with 500.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn concurrent_uses_fit_a_production_sized_pool(_opts: PgPoolOptions, connect: PgConnectOptions) {
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(connect)
        .await
        .unwrap();
    let h = harness(pool.clone()).await;
    let acct = mfa_account(&h, "pool").await;
    let token = mfa_token(&h, &acct.email).await;
    let body = json!({ "mfa_token": token, "code": totp(&acct.seed, acct.step + 1) });
    let racers = (0..RACERS).map(|_| {
        let (h, body) = (h.clone(), body.clone());
        tokio::spawn(async move { login_mfa(&h, body).await })
    });
    let results: Vec<Resp> = futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let answers: Vec<(u16, &str)> = results.iter().map(|r| (r.status.as_u16(), r.code())).collect();
    assert_eq!(answers.iter().filter(|(s, _)| *s == 200).count(), 1, "{answers:?}");
    let expected = [(200, ""), (401, "code_already_used"), (429, "too_many_attempts")];
    assert!(answers.iter().all(|a| expected.contains(a)), "{answers:?}");
    pool.close().await;
}

// ------------------------------------------------------------------ recovery codes

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn recovery_codes_regenerate_and_work_once_in_any_case(pool: PgPool) {
    let h = harness(pool).await;
    let acct = mfa_account(&h, "recovery").await;

    // Regenerating needs a TOTP code (the step right after enabling); the old codes die.
    regenerate(&h, &acct.access, &wrong_totp(&acct.seed)).await.expect(403, "reauth_failed");
    regenerate(&h, &acct.access, &acct.recovery[0]).await.expect(422, "validation_failed");
    let notices_before = emails(&h.pool, &acct.email).await.len();
    let fresh = recovery_codes(&regenerate(&h, &acct.access, &totp(&acct.seed, acct.step + 1)).await);
    assert!(fresh.iter().all(|c| !acct.recovery.contains(c)));
    // The owner is told (new codes are a way in), and the codes are not in the mail.
    let mails = emails(&h.pool, &acct.email).await;
    assert_eq!(mails.len(), notices_before + 1);
    let notice = mails.last().unwrap();
    assert_eq!(notice["template"], "security_mfa_changed", "{notice}");
    assert_eq!(notice["context"]["recovery_codes"], true, "{notice}");
    assert!(fresh.iter().all(|c| !notice.to_string().contains(c.as_str())));
    regenerate(&h, &acct.access, &totp(&acct.seed, acct.step + 1)).await.expect(401, "code_already_used");
    let token = mfa_token(&h, &acct.email).await;
    let old = login_mfa(&h, json!({ "mfa_token": token, "recovery_code": acct.recovery[0] })).await;
    old.expect(401, "invalid_code");

    // A code works once, typed in any case, with or without dashes.
    let shouted = fresh[0].to_uppercase().replace('-', "");
    signed_in(&h, &login_mfa(&h, json!({ "mfa_token": token, "recovery_code": shouted })).await, acct.id).await;
    let again = login_mfa(&h, json!({ "mfa_token": token, "recovery_code": fresh[0] })).await;
    again.expect(401, "invalid_code");
    let spaced = format!(" {} ", fresh[1].replace('-', " "));
    signed_in(&h, &login_mfa(&h, json!({ "mfa_token": token, "recovery_code": spaced })).await, acct.id).await;
    let used = "SELECT count(*) FROM auth.recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL";
    assert_eq!(scalar(&h.pool, used, acct.id).await, 2);
}

// ------------------------------------------------------------------ disable

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn disable_needs_password_and_second_factor(pool: PgPool) {
    let h = harness(pool).await;
    let addr = email("off");
    let (_, plain) = sign_up(&h, &addr).await;
    let body = json!({ "password": PASSWORD, "recovery_code": "aaaa-bbbb-cccc-dddd" });
    disable(&h, &plain, body).await.expect(409, "mfa_not_enabled");

    let acct = mfa_account(&h, "disable").await;
    let token = mfa_token(&h, &acct.email).await;
    let other =
        signed_in(&h, &login_mfa(&h, json!({ "mfa_token": token, "recovery_code": acct.recovery[0] })).await, acct.id)
            .await;

    let r = &acct.recovery[1];
    disable(&h, &acct.access, json!({ "password": "Wrong-Password-1", "recovery_code": r }))
        .await
        .expect(403, "reauth_failed");
    disable(&h, &acct.access, json!({ "password": PASSWORD, "code": wrong_totp(&acct.seed) }))
        .await
        .expect(403, "reauth_failed");
    disable(&h, &acct.access, json!({ "password": PASSWORD })).await.expect(422, "validation_failed");
    let both = json!({ "password": PASSWORD, "code": totp(&acct.seed, acct.step + 1), "recovery_code": r });
    disable(&h, &acct.access, both).await.expect(422, "validation_failed");
    assert_eq!(h.me(&acct.access).await.ok(200)["mfa_enabled"], true, "refusals leave MFA on");

    disable(&h, &acct.access, json!({ "password": PASSWORD, "recovery_code": r })).await.ok(204);
    let res = disable(&h, &acct.access, json!({ "password": PASSWORD, "recovery_code": acct.recovery[2] })).await;
    res.expect(409, "mfa_not_enabled");
    h.me(&other).await.expect(401, "unauthenticated");
    assert_eq!(h.me(&acct.access).await.ok(200)["mfa_enabled"], false);

    let login = h.login(&acct.email, PASSWORD).await;
    assert_eq!(login.ok(200)["mfa_required"], false);
    assert!(login.body.get("mfa_token").is_none(), "{}", login.body);
    signed_in(&h, &login, acct.id).await;
    assert_eq!(scalar(&h.pool, "SELECT count(*) FROM auth.totp WHERE user_id = $1", acct.id).await, 0);
    assert_eq!(scalar(&h.pool, "SELECT count(*) FROM auth.recovery_codes WHERE user_id = $1", acct.id).await, 0);
    assert_eq!(mfa_events(&h, acct.id).await, vec![json!(true), json!(false)]);
    assert_eq!(mfa_mails(&h, &acct.email).await, vec![json!(true), json!(false)]);
}
