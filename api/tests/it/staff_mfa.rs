//! Staff TOTP MFA and self-service writes, in-process against the real router: the MFA write
//! rule before TOTP, setup/enable, the two-step sign-in with TOTP (replay refused) and recovery
//! codes (single use), the failure throttle, disable, password change and profile edits — each
//! write with its audit row, other sessions ending where documented.
//!
//! Codes are computed from the base32 secret that setup returns. Each account enables at the
//! current 30 s step `e` and then uses `e + 1` (the server accepts previous/current/next, each
//! step once); further second factors within a test are recovery codes, so no test waits.

use crate::support::totp::{base32_decode, now_step, totp, wrong_totp};
use std::collections::HashSet;

use crate::support::{Harness, Resp, harness};
use axum::http::{Method, StatusCode};
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

const PASSWORD: &str = "staff passphrase 42";

/// A staff account as `helium-cli admin create` + the setup link make it, signed in.
struct Staff {
    id: Uuid,
    email: String,
    access: String,
}

async fn create_staff(h: &Harness, role: Role) -> Staff {
    let (id, email) = crate::support::staff::create_staff(&h.state, role, "Staff").await;
    let access = token_of(&login(h, &email, PASSWORD).await);
    Staff { id, email, access }
}

async fn login(h: &Harness, email: &str, password: &str) -> Resp {
    h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": password })).await
}

/// The staff token of an AdminLoginResult (no MFA challenge).
#[track_caller]
fn token_of(res: &Resp) -> String {
    let body = res.ok(200);
    assert_eq!(body["mfa_required"], false, "{body}");
    assert_eq!(body["token_type"], "Bearer", "{body}");
    assert!(body.get("mfa_token").is_none(), "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// The mfa_token of an AdminLoginResult that is the MFA challenge.
#[track_caller]
fn challenge(res: &Resp) -> String {
    let body = res.ok(200);
    let keys: HashSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["mfa_required", "mfa_token"]), "{body}");
    assert_eq!(body["mfa_required"], true);
    body["mfa_token"].as_str().unwrap().to_owned()
}

async fn mfa_token(h: &Harness, email: &str) -> String {
    challenge(&login(h, email, PASSWORD).await)
}

async fn login_mfa(h: &Harness, body: Value) -> Resp {
    h.post("/api/v1/admin/auth/login/mfa", body).await
}

async fn post(h: &Harness, path: &str, access: &str, body: Option<Value>) -> Resp {
    h.authed(Method::POST, path, access, body).await
}

async fn me(h: &Harness, access: &str) -> Resp {
    h.authed(Method::GET, "/api/v1/admin/me", access, None).await
}

fn recovery_codes(res: &Resp) -> Vec<String> {
    let codes: Vec<String> =
        res.ok(200)["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10, "{codes:?}");
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 10, "distinct: {codes:?}");
    codes
}

/// Setup + enable at the previous step: (seed, enabling step, recovery codes).
async fn turn_on(h: &Harness, access: &str) -> (Vec<u8>, u64, Vec<String>) {
    let res = post(h, "/api/v1/admin/auth/mfa/totp/setup", access, None).await;
    let body = res.ok(200);
    let secret = body["secret"].as_str().unwrap();
    let uri = body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")), "{uri}");
    let seed = base32_decode(secret);
    // The previous step: the next code a test needs (`step + 1`) is then the current one.
    // The previous step must still be accepted when the request arrives: not at a step's very end.
    crate::support::totp::early_in_step(5).await;
    let step = now_step() - 1;
    let res = post(h, "/api/v1/admin/auth/mfa/totp/enable", access, Some(json!({ "code": totp(&seed, step) }))).await;
    (seed, step, recovery_codes(&res))
}

async fn audit_rows(pool: &PgPool, action: &str, admin: Uuid) -> Vec<(Option<Value>, Option<Value>)> {
    sqlx::query_as::<_, (Option<Value>, Option<Value>)>(
        "SELECT before, after FROM staff.audit_log WHERE action = $1 AND target_type = 'admin' AND target_id = $2
         ORDER BY at, id",
    )
    .bind(action)
    .bind(admin.to_string())
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A write route of the spec guarded by a permission other than `self` (none may exist yet).
fn non_self_write() -> Option<(Method, String)> {
    let spec: Value = serde_json::from_str(&helium_api::app::openapi_json()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/admin/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            let permission = op["x-helium-permission"].as_str().unwrap_or_default();
            if method != Method::GET && !["self", "public"].contains(&permission) {
                let concrete = path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { Uuid::now_v7().to_string() } else { seg.to_owned() })
                    .collect::<Vec<_>>()
                    .join("/");
                return Some((method, concrete));
            }
        }
    }
    None
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn super_admin_turns_on_totp_and_signs_in_with_it(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let sa = create_staff(&h, Role::SuperAdmin).await;

    // Before TOTP: the MFA rule blocks SuperAdmin writes, but not the self-service routes.
    let principal = h.state.admin.auth.authenticate(&sa.access).await.unwrap();
    assert!(h.state.admin.auth.mfa_required(&principal));
    if let Some((method, path)) = non_self_write() {
        let r = h.authed(method.clone(), &path, &sa.access, Some(json!({}))).await;
        r.expect(403, "mfa_required");
    }
    post(&h, "/api/v1/admin/auth/mfa/totp/enable", &sa.access, Some(json!({ "code": "123456" })))
        .await
        .expect(409, "mfa_setup_required");

    let (seed, step, recovery) = turn_on(&h, &sa.access).await;
    let principal = h.state.admin.auth.authenticate(&sa.access).await.unwrap();
    assert!(principal.mfa_enabled && !h.state.admin.auth.mfa_required(&principal));
    assert_eq!(me(&h, &sa.access).await.ok(200)["mfa_enabled"], true);
    // The seed is sealed at rest, the recovery codes hashed.
    let (secret,): (String,) =
        sqlx::query_as("SELECT secret FROM staff.totp WHERE admin_id = $1").bind(sa.id).fetch_one(&pool).await.unwrap();
    assert!(secret.starts_with("v1."), "{secret}");
    let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM staff.recovery_codes WHERE admin_id = $1")
        .bind(sa.id)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 10);
    assert!(hashes.iter().all(|h| h.starts_with("$argon2id$")), "{hashes:?}");
    let enabled = audit_rows(&pool, "admin.mfa_enable", sa.id).await;
    assert_eq!(enabled.len(), 1);
    assert!(!format!("{enabled:?}").contains(&secret), "no secret in the audit row");

    // Sign-in is now two steps; the challenge alone opens nothing.
    let token = mfa_token(&h, &sa.email).await;
    me(&h, &token).await.expect(401, "unauthenticated");
    let code = totp(&seed, step + 1);
    login_mfa(&h, json!({ "mfa_token": token, "code": wrong_totp(&seed) })).await.expect(401, "invalid_code");
    let access = token_of(&login_mfa(&h, json!({ "mfa_token": token, "code": code })).await);
    assert_eq!(me(&h, &access).await.ok(200)["id"], sa.id.to_string());

    // Replay of the code, even with a fresh challenge: refused.
    let fresh = mfa_token(&h, &sa.email).await;
    login_mfa(&h, json!({ "mfa_token": fresh, "code": code })).await.expect(401, "code_already_used");
    // The enabling step is older than the last one used: refused as a replay as well.
    login_mfa(&h, json!({ "mfa_token": fresh, "code": totp(&seed, step) })).await.expect(401, "code_already_used");

    // A recovery code works once (any case, dashes optional).
    let typed = recovery[0].to_uppercase().replace('-', " ");
    token_of(&login_mfa(&h, json!({ "mfa_token": fresh, "recovery_code": typed })).await);
    let again = mfa_token(&h, &sa.email).await;
    login_mfa(&h, json!({ "mfa_token": again, "recovery_code": recovery[0] })).await.expect(401, "invalid_code");
    token_of(&login_mfa(&h, json!({ "mfa_token": again, "recovery_code": recovery[1] })).await);

    // Exactly one of code / recovery_code; other tokens are no challenge.
    login_mfa(&h, json!({ "mfa_token": again })).await.expect(422, "validation_failed");
    login_mfa(&h, json!({ "mfa_token": again, "code": "123456", "recovery_code": recovery[2] }))
        .await
        .expect(422, "validation_failed");
    login_mfa(&h, json!({ "mfa_token": access, "code": "123456" })).await.expect(401, "mfa_token_invalid");

    // A challenge issued before a revocation is dead; so is one of a disabled account.
    let before_revocation = mfa_token(&h, &sa.email).await;
    sqlx::query("UPDATE staff.admins SET tokens_valid_after = now() + interval '2 seconds' WHERE id = $1")
        .bind(sa.id)
        .execute(&pool)
        .await
        .unwrap();
    login_mfa(&h, json!({ "mfa_token": before_revocation, "recovery_code": recovery[2] }))
        .await
        .expect(401, "mfa_token_invalid");
    sqlx::query("UPDATE staff.admins SET tokens_valid_after = 'epoch', status = 'disabled' WHERE id = $1")
        .bind(sa.id)
        .execute(&pool)
        .await
        .unwrap();
    login_mfa(&h, json!({ "mfa_token": before_revocation, "recovery_code": recovery[2] }))
        .await
        .expect(403, "account_disabled");

    // Enable twice: refused.
    sqlx::query("UPDATE staff.admins SET status = 'active' WHERE id = $1").bind(sa.id).execute(&pool).await.unwrap();
    post(&h, "/api/v1/admin/auth/mfa/totp/setup", &access, None).await.expect(409, "mfa_already_enabled");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn enabling_ends_other_sessions(pool: PgPool) {
    let h = harness(pool).await;
    let staff = create_staff(&h, Role::Moderator).await;
    let other = token_of(&login(&h, &staff.email, PASSWORD).await);
    me(&h, &other).await.ok(200);
    turn_on(&h, &staff.access).await;
    me(&h, &other).await.expect(401, "unauthenticated");
    me(&h, &staff.access).await.ok(200);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn wrong_second_factors_are_throttled(pool: PgPool) {
    let h = harness(pool).await;
    let staff = create_staff(&h, Role::CustomerSupport).await;
    let (seed, step, _) = turn_on(&h, &staff.access).await;
    let token = mfa_token(&h, &staff.email).await;
    for _ in 0..5 {
        login_mfa(&h, json!({ "mfa_token": token, "code": wrong_totp(&seed) })).await.expect(401, "invalid_code");
    }
    let r = login_mfa(&h, json!({ "mfa_token": token, "code": totp(&seed, step + 1) })).await;
    r.expect(429, "too_many_attempts");
    assert!(r.header("retry-after").is_some_and(|v| v.parse::<u64>().is_ok_and(|s| (1..=900).contains(&s))));
    // The limit is per account: another admin is unaffected.
    let other = create_staff(&h, Role::CustomerSupport).await;
    let (seed2, step2, _) = turn_on(&h, &other.access).await;
    let token2 = mfa_token(&h, &other.email).await;
    token_of(&login_mfa(&h, json!({ "mfa_token": token2, "code": totp(&seed2, step2 + 1) })).await);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn regenerate_and_disable(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let sa = create_staff(&h, Role::SuperAdmin).await;
    let (seed, step, old) = turn_on(&h, &sa.access).await;
    let path = "/api/v1/admin/auth/mfa/recovery-codes";
    post(&h, path, &sa.access, Some(json!({ "code": wrong_totp(&seed) }))).await.expect(403, "reauth_failed");
    let new = recovery_codes(&post(&h, path, &sa.access, Some(json!({ "code": totp(&seed, step + 1) }))).await);
    assert!(new.iter().all(|c| !old.contains(c)));
    let regenerated = audit_rows(&pool, "admin.recovery_codes_regenerate", sa.id).await;
    assert_eq!(regenerated.len(), 1);
    assert!(!format!("{regenerated:?}").contains(&new[0]), "no codes in the audit row");
    let token = mfa_token(&h, &sa.email).await;
    login_mfa(&h, json!({ "mfa_token": token, "recovery_code": old[0] })).await.expect(401, "invalid_code");

    // A session opened through MFA, to be ended by the disable.
    let other = token_of(&login_mfa(&h, json!({ "mfa_token": token, "recovery_code": new[0] })).await);
    let disable = "/api/v1/admin/auth/mfa/totp/disable";
    post(&h, disable, &sa.access, Some(json!({ "recovery_code": new[1], "password": "wrong password!" })))
        .await
        .expect(403, "reauth_failed");
    post(&h, disable, &sa.access, Some(json!({ "recovery_code": old[1], "password": PASSWORD })))
        .await
        .expect(403, "reauth_failed");
    let r = post(&h, disable, &sa.access, Some(json!({ "recovery_code": new[1], "password": PASSWORD }))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    me(&h, &other).await.expect(401, "unauthenticated");
    assert_eq!(me(&h, &sa.access).await.ok(200)["mfa_enabled"], false);
    token_of(&login(&h, &sa.email, PASSWORD).await);
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM staff.totp WHERE admin_id = $1) + (SELECT count(*) FROM staff.recovery_codes WHERE admin_id = $1)",
    )
    .bind(sa.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    assert_eq!(audit_rows(&pool, "admin.mfa_disable", sa.id).await.len(), 1);
    post(&h, disable, &sa.access, Some(json!({ "code": "123456", "password": PASSWORD })))
        .await
        .expect(409, "mfa_not_enabled");
    // The MFA rule applies again.
    let principal = h.state.admin.auth.authenticate(&sa.access).await.unwrap();
    assert!(h.state.admin.auth.mfa_required(&principal));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn password_change_ends_other_sessions(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let staff = create_staff(&h, Role::CustomerSupport).await;
    let other = token_of(&login(&h, &staff.email, PASSWORD).await);
    let path = "/api/v1/admin/auth/password/change";
    let new_password = "a different staff passphrase";
    post(&h, path, &staff.access, Some(json!({ "current_password": "not it at all", "new_password": new_password })))
        .await
        .expect(403, "reauth_failed");
    post(&h, path, &staff.access, Some(json!({ "current_password": PASSWORD, "new_password": "short" })))
        .await
        .expect(422, "validation_failed");
    me(&h, &other).await.ok(200);
    let r = post(&h, path, &staff.access, Some(json!({ "current_password": PASSWORD, "new_password": new_password })))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    me(&h, &other).await.expect(401, "unauthenticated");
    me(&h, &staff.access).await.ok(200);
    login(&h, &staff.email, PASSWORD).await.expect(401, "invalid_credentials");
    token_of(&login(&h, &staff.email, new_password).await);
    let rows = audit_rows(&pool, "admin.password_change", staff.id).await;
    assert_eq!(rows.len(), 1);
    assert!(!format!("{rows:?}").contains(new_password), "no password in the audit row");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn update_me_changes_name_and_avatar_only(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let staff = create_staff(&h, Role::SupportBot).await;
    let patch = |body: Value| {
        let h = h.clone();
        let access = staff.access.clone();
        async move { h.authed(Method::PATCH, "/api/v1/admin/me", &access, Some(body)).await }
    };
    let avatar = "https://cdn.example.test/a.png";
    let r = patch(json!({ "name": "  Grace  ", "avatar_url": avatar })).await;
    let body = r.ok(200);
    assert_eq!((body["name"].as_str(), body["avatar_url"].as_str()), (Some("Grace"), Some(avatar)));
    assert_eq!(body["role"], "support_bot");
    assert!(body["permissions"].as_array().unwrap().contains(&json!("self")), "{body}");
    let r = patch(json!({ "avatar_url": null })).await;
    let body = r.ok(200);
    assert_eq!((body["name"].as_str(), body["avatar_url"].is_null()), (Some("Grace"), true));
    patch(json!({})).await.ok(200);
    patch(json!({ "role": "super_admin" })).await.expect(422, "validation_failed");
    patch(json!({ "name": "" })).await.expect(422, "validation_failed");
    patch(json!({ "avatar_url": "javascript:alert(1)" })).await.expect(422, "validation_failed");
    assert_eq!(me(&h, &staff.access).await.ok(200)["role"], "support_bot");
    let rows = audit_rows(&pool, "admin.update_me", staff.id).await;
    assert_eq!(rows.len(), 2, "one row per change, none for an empty patch");
    assert_eq!(rows[0].0, Some(json!({ "name": "Staff", "avatar_url": null })));
    assert_eq!(rows[0].1, Some(json!({ "name": "Grace", "avatar_url": avatar })));
    h.authed(Method::PATCH, "/api/v1/admin/me", "not-a-token", Some(json!({}))).await.expect(401, "unauthenticated");
}
