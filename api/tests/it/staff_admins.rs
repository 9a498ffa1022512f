//! Staff account management and API keys, through the real router in-process: the paged list,
//! role changes that end sessions at once, the grant rules, the last-SuperAdmin guard (also
//! under two concurrent demotions), and API keys by both headers, narrowed, revoked, expired.

use std::time::Duration;

use crate::support::{Harness, Resp, harness, request};
use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::from_fn;
use axum::routing::get;
use helium_api::http::staff::{Staff, guard};
use helium_domain::ErrorCode;
use helium_domain::admin::StaffPrincipal;
use helium_domain::admin::commands::{AdminPatch, NewApiKey};
use helium_domain::admin::{Permission, Role};
use helium_domain::audit::Actor;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

const PASSWORD: &str = "staff passphrase 42";

async fn setup(pool: &PgPool) -> Harness {
    harness(pool.clone()).await
}

/// An admin of `role` with a password, as `helium-cli admin create` + the setup link make it.
async fn admin(h: &Harness, role: Role, name: &str) -> (Uuid, String) {
    crate::support::staff::create_staff(&h.state, role, name).await
}

async fn sign_in(h: &Harness, email: &str) -> String {
    crate::support::staff::password_sign_in(h, email).await.0
}

/// An admin of `role`, signed in with TOTP (so it may write): (id, token).
async fn staff(h: &Harness, role: Role, name: &str) -> (Uuid, String) {
    let (id, email) = admin(h, role, name).await;
    let (token, refresh_token) = crate::support::staff::password_sign_in(h, &email).await;
    let user = crate::support::staff::StaffUser { id, email, token, refresh_token, seed: None };
    let user = crate::support::staff::enrol_totp(h, user).await;
    (user.id, user.token)
}

async fn patch(h: &Harness, token: &str, id: Uuid, body: Value) -> Resp {
    h.authed(Method::PATCH, &format!("/api/v1/admin/admins/{id}"), token, Some(body)).await
}

async fn active_super_admins(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM staff.admins WHERE role = 'super_admin' AND status = 'active'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A principal the way the CLI would act (no account of its own).
fn operator(role: Role) -> StaffPrincipal {
    StaffPrincipal {
        role,
        admin_id: None,
        session_id: None,
        api_key_id: None,
        key_permissions: None,
        mfa_enabled: true,
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn lists_and_gets_staff_accounts(pool: PgPool) {
    let h = setup(&pool).await;
    let (_, token) = staff(&h, Role::SuperAdmin, "Root").await;
    let mut moderators = Vec::new();
    for i in 0..3 {
        moderators.push(admin(&h, Role::Moderator, &format!("Mod {i}")).await.0);
    }
    let (bot, _) = admin(&h, Role::SupportBot, "Bot").await;
    patch(&h, &token, bot, json!({ "disabled": true })).await.ok(200);

    let all = h.authed(Method::GET, "/api/v1/admin/admins", &token, None).await;
    let body = all.ok(200);
    assert_eq!(body["items"].as_array().unwrap().len(), 5);
    assert_eq!(body["next_cursor"], Value::Null);
    assert!(body["items"][0].get("password_hash").is_none());
    assert_eq!(body["items"][0]["id"], json!(bot), "newest first");

    // Keyset pages of one filter, newest first, no row twice.
    let mut seen = Vec::new();
    let mut url = "/api/v1/admin/admins?role=moderator&limit=2".to_owned();
    loop {
        let r = h.authed(Method::GET, &url, &token, None).await;
        let body = r.ok(200).clone();
        for item in body["items"].as_array().unwrap() {
            assert_eq!(item["role"], "moderator");
            seen.push(item["id"].as_str().unwrap().parse::<Uuid>().unwrap());
        }
        match body["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/admin/admins?role=moderator&limit=2&cursor={c}"),
            None => break,
        }
    }
    moderators.reverse();
    assert_eq!(seen, moderators);

    let first = h.authed(Method::GET, "/api/v1/admin/admins?role=moderator&limit=1", &token, None).await;
    let cursor = first.ok(200)["next_cursor"].as_str().unwrap().to_owned();
    let other_filter = format!("/api/v1/admin/admins?status=active&limit=1&cursor={cursor}");
    h.authed(Method::GET, &other_filter, &token, None).await.expect(400, "invalid_cursor");
    h.authed(Method::GET, "/api/v1/admin/admins?cursor=bm9wZQ", &token, None).await.expect(400, "invalid_cursor");

    let disabled = h.authed(Method::GET, "/api/v1/admin/admins?status=disabled", &token, None).await;
    let items = disabled.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], json!(bot));

    for bad in ["limit=101", "limit=0", "role=root", "status=gone"] {
        let r = h.authed(Method::GET, &format!("/api/v1/admin/admins?{bad}"), &token, None).await;
        r.expect(422, "validation_failed");
        let field = bad.split('=').next().unwrap();
        assert_eq!(r.body["errors"][0]["field"], field, "{bad}");
    }
    h.authed(Method::GET, "/api/v1/admin/admins?limit=100", &token, None).await.ok(200);

    let one = h.authed(Method::GET, &format!("/api/v1/admin/admins/{}", moderators[0]), &token, None).await;
    let body = one.ok(200);
    assert_eq!(body["name"], "Mod 2");
    assert_eq!(
        (body["role"].as_str(), body["status"].as_str(), body["password_set"].as_bool()),
        (Some("moderator"), Some("active"), Some(true))
    );
    let r = h.authed(Method::GET, &format!("/api/v1/admin/admins/{}", Uuid::now_v7()), &token, None).await;
    r.expect(404, "not_found");

    // Only SuperAdmins manage staff.
    let (_, mod_token) = staff(&h, Role::Moderator, "Other").await;
    h.authed(Method::GET, "/api/v1/admin/admins", &mod_token, None).await.expect(403, "permission_denied");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_role_change_or_disable_ends_the_targets_sessions_at_once(pool: PgPool) {
    let h = setup(&pool).await;
    let (_, token) = staff(&h, Role::SuperAdmin, "Root").await;
    let (target, target_email) = admin(&h, Role::Moderator, "Target").await;
    let target_token = sign_in(&h, &target_email).await;
    h.authed(Method::GET, "/api/v1/admin/me", &target_token, None).await.ok(200);

    // A rename changes nothing about sessions.
    let r = patch(&h, &token, target, json!({ "name": "  Renamed  " })).await;
    assert_eq!(r.ok(200)["name"], "Renamed");
    h.authed(Method::GET, "/api/v1/admin/me", &target_token, None).await.ok(200);

    let r = patch(&h, &token, target, json!({ "role": "customer_support" })).await;
    assert_eq!(r.ok(200)["role"], "customer_support");
    h.authed(Method::GET, "/api/v1/admin/me", &target_token, None).await.expect(401, "unauthenticated");
    let live: i64 =
        sqlx::query_scalar("SELECT count(*) FROM staff.sessions WHERE admin_id = $1 AND revoked_at IS NULL")
            .bind(target)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(live, 0);

    let audit: (Value, Value, String) = sqlx::query_as(
        "SELECT before, after, actor_type FROM staff.audit_log WHERE action = 'admin.update' AND target_id = $1
          ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(target.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audit, (json!({ "role": "moderator" }), json!({ "role": "customer_support" }), "admin".to_owned()));

    // Signing in again gives the new role; disabling ends that session too.
    let again = sign_in(&h, &target_email).await;
    let me = h.authed(Method::GET, "/api/v1/admin/me", &again, None).await;
    assert_eq!(me.ok(200)["role"], "customer_support");
    let r = patch(&h, &token, target, json!({ "disabled": true })).await;
    assert_eq!(r.ok(200)["status"], "disabled");
    let r = h.authed(Method::GET, "/api/v1/admin/me", &again, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": target_email, "password": PASSWORD })).await;
    r.expect(403, "account_disabled");
    patch(&h, &token, target, json!({ "disabled": false })).await.ok(200);
    sign_in(&h, &target_email).await;

    // Request bodies are strict.
    patch(&h, &token, target, json!({ "email": "x@y.test" })).await.expect(422, "validation_failed");
    patch(&h, &token, target, json!({ "role": "root" })).await.expect(422, "validation_failed");
    patch(&h, &token, target, json!({ "name": "" })).await.expect(422, "validation_failed");
    patch(&h, &token, Uuid::now_v7(), json!({ "name": "Ghost" })).await.expect(404, "not_found");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn nobody_grants_above_their_role_or_changes_their_own(pool: PgPool) {
    let h = setup(&pool).await;
    let (me, token) = staff(&h, Role::SuperAdmin, "Root").await;
    admin(&h, Role::SuperAdmin, "Second").await;
    patch(&h, &token, me, json!({ "role": "moderator" })).await.expect(403, "role_not_grantable");
    // Naming one's own current role is no change.
    patch(&h, &token, me, json!({ "role": "super_admin", "name": "Root 2" })).await.ok(200);

    // Only SuperAdmins hold admins.manage, so the ceiling is checked at the use case.
    let (target, _) = admin(&h, Role::SupportBot, "Bot").await;
    let (mod_id, _) = admin(&h, Role::Moderator, "Mod").await;
    let moderator = StaffPrincipal { admin_id: Some(mod_id), ..operator(Role::Moderator) };
    let up = AdminPatch { role: Some(Role::SuperAdmin), ..AdminPatch::default() };
    let err = h.state.admin.admins.update(&moderator, &Actor::cli(), target, &up).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RoleNotGrantable);
    let (boss, _) = admin(&h, Role::SuperAdmin, "Boss").await;
    let down = AdminPatch { role: Some(Role::SupportBot), ..AdminPatch::default() };
    let err = h.state.admin.admins.update(&moderator, &Actor::cli(), boss, &down).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RoleNotGrantable, "nor demotes someone above them");
    let sideways = AdminPatch { role: Some(Role::CustomerSupport), ..AdminPatch::default() };
    let row = h.state.admin.admins.update(&moderator, &Actor::cli(), target, &sideways).await.unwrap();
    assert_eq!(row.role, Role::CustomerSupport);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_last_active_super_admin_stays(pool: PgPool) {
    let h = setup(&pool).await;
    let (me, token) = staff(&h, Role::SuperAdmin, "Root").await;
    let (other, _) = admin(&h, Role::SuperAdmin, "Other").await;
    // The other one disabled, `me` is the last active SuperAdmin.
    patch(&h, &token, other, json!({ "disabled": true })).await.ok(200);
    patch(&h, &token, me, json!({ "disabled": true })).await.expect(409, "last_super_admin");
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/admins/{me}"), &token, None).await;
    r.expect(409, "last_super_admin");
    let demote = AdminPatch { role: Some(Role::Moderator), ..AdminPatch::default() };
    let err = h.state.admin.admins.update(&operator(Role::SuperAdmin), &Actor::cli(), me, &demote).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::LastSuperAdmin);
    assert_eq!(active_super_admins(&pool).await, 1);
    h.authed(Method::GET, "/api/v1/admin/me", &token, None).await.ok(200);

    // A disabled SuperAdmin may go; with a second active one, so may the first.
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/admins/{other}"), &token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let (third, _) = admin(&h, Role::SuperAdmin, "Third").await;
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/admins/{third}"), &token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/admins/{third}"), &token, None).await;
    r.expect(404, "not_found");
    assert_eq!(active_super_admins(&pool).await, 1);
}

/// Advisory locks of this database that someone is waiting for.
async fn waiting_on_advisory_locks(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn two_concurrent_demotions_leave_one_super_admin(pool: PgPool) {
    let h = setup(&pool).await;
    let (a, a_token) = staff(&h, Role::SuperAdmin, "A").await;
    let (b, b_token) = staff(&h, Role::SuperAdmin, "B").await;
    // Hold the SuperAdmin lock so both requests are past authentication and wait on it together.
    let mut holder = pool.acquire().await.unwrap();
    sqlx::query("SELECT pg_advisory_lock(hashtext('staff.super_admins'))").execute(&mut *holder).await.unwrap();

    let (h1, h2) = (h.clone(), h.clone());
    let first = tokio::spawn(async move { patch(&h1, &a_token, b, json!({ "role": "moderator" })).await });
    let second = tokio::spawn(async move { patch(&h2, &b_token, a, json!({ "role": "moderator" })).await });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while waiting_on_advisory_locks(&pool).await < 2 {
        assert!(std::time::Instant::now() < deadline, "the two demotions never met at the lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sqlx::query("SELECT pg_advisory_unlock(hashtext('staff.super_admins'))").execute(&mut *holder).await.unwrap();
    let results = [first.await.unwrap(), second.await.unwrap()];
    let mut outcomes: Vec<(u16, String)> = results.iter().map(|r| (r.status.as_u16(), r.code().to_owned())).collect();
    outcomes.sort();
    assert_eq!(outcomes, [(200, String::new()), (409, "last_super_admin".to_owned())], "{results:?}");
    assert_eq!(active_super_admins(&pool).await, 1);
}

/// A route guarded by `permission` that answers who called: the API keys' own probe.
fn probe(h: &Harness, permission: Permission) -> Router {
    Router::new()
        .route(
            "/probe",
            get(|Staff(me): Staff| async move { me.api_key_id.map(|k| k.to_string()).unwrap_or_default() }),
        )
        .layer(from_fn(move |req, next| guard(permission, req, next)))
        .layer(axum::Extension(h.state.clone()))
}

/// `GET /probe` needing `permission`, with the key as Bearer or as `X-API-Key`.
async fn probe_status(h: &Harness, permission: Permission, key: &str, x_api_key: bool) -> StatusCode {
    let mut req = request(Method::GET, "/probe", (!x_api_key).then_some(key), None);
    if x_api_key {
        req.headers_mut().insert("x-api-key", HeaderValue::from_str(key).unwrap());
    }
    probe(h, permission).oneshot(req).await.unwrap().status()
}

async fn create_key(h: &Harness, token: &str, body: Value) -> Resp {
    h.authed(Method::POST, "/api/v1/admin/api-keys", token, Some(body)).await
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn api_keys_work_by_either_header_within_their_permissions(pool: PgPool) {
    let h = setup(&pool).await;
    let (me, token) = staff(&h, Role::SuperAdmin, "Root").await;

    let r = create_key(&h, &token, json!({ "name": "helpdesk bot", "role": "customer_support" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.body.clone();
    let key = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with("hel_key_") && key.len() >= 8 + 43, "{key}");
    assert_eq!(created["prefix"], key[..16]);
    assert_eq!((created["role"].as_str(), created["permissions"].clone()), (Some("customer_support"), Value::Null));
    assert_eq!(r.header("location"), Some(format!("/api/v1/admin/api-keys/{id}").as_str()));
    // Only the hash is stored.
    let stored: (Vec<u8>, Option<Uuid>) =
        sqlx::query_as("SELECT key_hash, created_by FROM staff.api_keys WHERE id = $1")
            .bind(id.parse::<Uuid>().unwrap())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, (helium_infra::identity::tokens::token_hash(&key), Some(me)));
    let audit: (Value, String) = sqlx::query_as(
        "SELECT after, actor_type FROM staff.audit_log WHERE action = 'api_key.create' AND target_id = $1",
    )
    .bind(&id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!audit.0.to_string().contains(&key) && audit.0["prefix"] == created["prefix"], "{}", audit.0);

    for x_api_key in [false, true] {
        assert_eq!(probe_status(&h, Permission::CustomersRead, &key, x_api_key).await, StatusCode::OK);
        assert_eq!(probe_status(&h, Permission::WalletAdjust, &key, x_api_key).await, StatusCode::FORBIDDEN);
    }
    // Human-only operations are refused to a key, even a SuperAdmin one.
    let r = create_key(&h, &token, json!({ "name": "ops", "role": "super_admin" })).await;
    let super_key = r.ok(201)["key"].as_str().unwrap().to_owned();
    for path in ["/api/v1/admin/api-keys", "/api/v1/admin/admins", "/api/v1/admin/me"] {
        h.authed(Method::GET, path, &super_key, None).await.expect(403, "permission_denied");
    }
    assert_eq!(probe_status(&h, Permission::OrdersRefund, &super_key, true).await, StatusCode::OK);

    // A narrowed key only holds its list.
    let body = json!({ "name": "reader", "role": "moderator", "permissions": ["orders.read", "customers.read"] });
    let r = create_key(&h, &token, body).await;
    let narrow = r.ok(201).clone();
    assert_eq!(narrow["permissions"], json!(["orders.read", "customers.read"]));
    let narrow_key = narrow["key"].as_str().unwrap();
    assert_eq!(probe_status(&h, Permission::OrdersRead, narrow_key, false).await, StatusCode::OK);
    let req = request(Method::GET, "/probe", Some(narrow_key), None);
    let res = probe(&h, Permission::CatalogWrite).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    let problem: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(problem["code"], "permission_denied");

    // The list shows every key without secrets, newest first, with last use.
    let r = h.authed(Method::GET, "/api/v1/admin/api-keys?limit=2", &token, None).await;
    let page = r.ok(200).clone();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["id"], narrow["id"]);
    assert!(!page.to_string().contains(&key) && page["items"][0].get("key").is_none());
    let cursor = page["next_cursor"].as_str().unwrap();
    let r = h.authed(Method::GET, &format!("/api/v1/admin/api-keys?limit=2&cursor={cursor}"), &token, None).await;
    let rest = r.ok(200).clone();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["id"], created["id"]);
    assert!(rest["items"][0]["last_used_at"].is_string(), "{rest}");
    assert_eq!(rest["next_cursor"], Value::Null);
    h.authed(Method::GET, "/api/v1/admin/api-keys?limit=101", &token, None).await.expect(422, "validation_failed");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn revoked_and_expired_keys_stop_at_once(pool: PgPool) {
    let h = setup(&pool).await;
    let (_, token) = staff(&h, Role::SuperAdmin, "Root").await;
    let r = create_key(&h, &token, json!({ "name": "short lived", "role": "support_bot" })).await;
    let created = r.ok(201).clone();
    let key = created["key"].as_str().unwrap();
    let id = created["id"].as_str().unwrap();
    assert_eq!(probe_status(&h, Permission::TicketsRead, key, false).await, StatusCode::OK);
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/api-keys/{id}"), &token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    for x_api_key in [false, true] {
        assert_eq!(probe_status(&h, Permission::TicketsRead, key, x_api_key).await, StatusCode::UNAUTHORIZED);
    }
    // Revoking again changes nothing (one audit row); an unknown key is 404.
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/api-keys/{id}"), &token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM staff.audit_log WHERE action = 'api_key.revoke' AND target_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(rows, 1);
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/api-keys/{}", Uuid::now_v7()), &token, None).await;
    r.expect(404, "not_found");
    let list = h.authed(Method::GET, "/api/v1/admin/api-keys", &token, None).await;
    assert!(list.ok(200)["items"][0]["revoked_at"].is_string());

    let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let r = create_key(&h, &token, json!({ "name": "expiring", "role": "support_bot", "expires_at": soon })).await;
    let created = r.ok(201).clone();
    let key = created["key"].as_str().unwrap();
    assert_eq!(probe_status(&h, Permission::TicketsRead, key, true).await, StatusCode::OK);
    sqlx::query("UPDATE staff.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(created["id"].as_str().unwrap().parse::<Uuid>().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(probe_status(&h, Permission::TicketsRead, key, true).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn api_key_creation_rules(pool: PgPool) {
    let h = setup(&pool).await;
    let (_, token) = staff(&h, Role::SuperAdmin, "Root").await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    for (body, field) in [
        (json!({ "name": "x", "role": "root" }), "role"),
        (json!({ "name": "", "role": "moderator" }), "name"),
        (json!({ "name": "x", "role": "moderator", "expires_at": past }), "expires_at"),
        (json!({ "name": "x", "role": "moderator", "expires_at": "tomorrow" }), "expires_at"),
        (json!({ "name": "x", "role": "moderator", "secret": "mine" }), "secret"),
        (json!({ "name": "x", "role": "moderator", "permissions": [] }), "permissions"),
        (json!({ "name": "x", "role": "moderator", "permissions": ["orders.read", "flying"] }), "permissions[1]"),
        (json!({ "name": "x", "role": "super_admin", "permissions": ["config.manage"] }), "permissions[0]"),
        (
            json!({ "name": "x", "role": "support_bot", "permissions": ["tickets.read", "orders.refund"] }),
            "permissions[1]",
        ),
    ] {
        let r = create_key(&h, &token, body.clone()).await;
        r.expect(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], field, "{body}");
    }
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM staff.api_keys").fetch_one(&pool).await.unwrap();
    assert_eq!(none, 0);

    // A key's role never exceeds its creator's (checked at the use case: only SuperAdmins create keys).
    let moderator = StaffPrincipal { admin_id: None, ..operator(Role::Moderator) };
    let new = NewApiKey::new("escalate", "super_admin", None, None, chrono::Utc::now()).unwrap();
    let err = h.state.admin.api_keys.create(&moderator, &Actor::cli(), &new).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RoleNotGrantable);

    // Other roles never reach the route.
    let (_, mod_token) = staff(&h, Role::Moderator, "Mod").await;
    let r = create_key(&h, &mod_token, json!({ "name": "x", "role": "super_admin" })).await;
    r.expect(403, "permission_denied");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customer_and_staff_tokens_are_disjoint(pool: PgPool) {
    let h = setup(&pool).await;
    let (_, token) = staff(&h, Role::SuperAdmin, "Root").await;
    h.me(&token).await.expect(401, "unauthenticated");
    let link_token = h.link_for("customer@admins.test").await;
    h.complete(&link_token, "customer passphrase 1").await.ok(201);
    let (customer, _) = h.session("customer@admins.test", "customer passphrase 1").await;
    h.me(&customer).await.ok(200);
    h.authed(Method::GET, "/api/v1/admin/admins", &customer, None).await.expect(401, "unauthenticated");
    let r = create_key(&h, &customer, json!({ "name": "x", "role": "support_bot" })).await;
    r.expect(401, "unauthenticated");
}
