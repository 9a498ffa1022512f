//! Staff access control, end to end through the real router: every admin operation in the
//! OpenAPI document × every role, as a staff session and as an API key of that role, must be
//! allowed or refused (403 permission_denied) exactly as the role table says. Also: customer
//! and staff tokens are disjoint, and the CLI bootstrap path works on a fresh database.

use std::time::Duration;

use crate::support::{Harness, harness, request};
use axum::http::{Method, StatusCode};
use helium_domain::admin::commands::NewAdmin;
use helium_domain::admin::{Permission, Role};
use helium_domain::audit::Actor;
use helium_infra::identity::tokens;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::staff::{STAFF_PASSWORD as PASSWORD, create_staff, password_sign_in, staff, staff_without_mfa};

/// An admin of `role` with a password, the way `helium-cli admin create` + setup do.
async fn admin(h: &Harness, role: Role) -> (Uuid, String) {
    create_staff(&h.state, role, "Staff").await
}

async fn sign_in(h: &Harness, email: &str) -> String {
    password_sign_in(h, email).await.0
}

/// A CLI-made account without an e-mail or password.
async fn bare_admin(h: &Harness, name: &str, role: &str, email: Option<&str>) -> (helium_domain::admin::Admin, String) {
    let cmd = NewAdmin::new(name, role, email, None).unwrap();
    h.state.admin.admins.create(&Actor::cli(), &cmd).await.unwrap()
}

/// An API key of `role`, stored the way adminCreateApiKey stores it.
async fn api_key(pool: &PgPool, role: Role, created_by: Uuid) -> String {
    let key = format!("hel_key_{}", tokens::opaque_token());
    sqlx::query(
        "INSERT INTO staff.api_keys (id, name, prefix, key_hash, role, created_by) VALUES ($1, 'matrix', $2, $3, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(&key[..16])
    .bind(tokens::token_hash(&key))
    .bind(role.as_str())
    .bind(created_by)
    .execute(pool)
    .await
    .unwrap();
    key
}

/// Every staff operation of the spec: (method, concrete path, permission).
fn staff_operations() -> Vec<(Method, String, String)> {
    let spec: Value = serde_json::from_str(&helium_api::app::openapi_json()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/admin/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
            let permission = op["x-helium-permission"].as_str().unwrap_or_default().to_owned();
            assert!(!permission.is_empty(), "{method} {path} declares no permission");
            if permission == "public" {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| match seg {
                    "{key}" => "auth".to_owned(),
                    s if s.starts_with('{') => Uuid::now_v7().to_string(),
                    s => s.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            ops.push((method, concrete, permission));
        }
    }
    assert!(!ops.is_empty());
    ops
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn every_admin_operation_follows_the_role_table(pool: PgPool) {
    let h = harness(pool.clone()).await;
    // Every member signed in with TOTP, so only permissions decide.
    let mut members = Vec::new();
    for role in Role::ALL {
        let user = staff(&h, role).await;
        members.push((role, user.token.clone(), api_key(&pool, role, user.id).await));
    }
    let mut checked = 0;
    // Signing out ends the session the other operations use: it goes last.
    let mut operations = staff_operations();
    operations.sort_by_key(|(_, path, _)| path.ends_with("/auth/logout"));
    for (method, path, permission) in &operations {
        let p =
            Permission::parse(permission).unwrap_or_else(|| panic!("{method} {path}: unknown permission {permission}"));
        for (role, session, key) in &members {
            for (who, credential, allowed) in
                [("session", session.clone(), role.can(p)), ("api key", key.clone(), role.can(p) && !p.human_only())]
            {
                let r = h.call(request(method.clone(), path, Some(&credential), Some(&json!({})))).await;
                let label = format!("{method} {path} as {} {who} ({permission})", role.as_str());
                if allowed {
                    assert!(
                        r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN,
                        "{label}: expected allowed, got {} {:?}",
                        r.status,
                        r.body
                    );
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{label}: {:?}", r.body);
                    assert_eq!(r.body["code"], "permission_denied", "{label}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, operations.len() * Role::ALL.len() * 2);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customer_and_staff_tokens_are_disjoint(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (_, email) = admin(&h, Role::SuperAdmin).await;
    let staff_token = sign_in(&h, &email).await;
    let me = h.me(&staff_token).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "a staff token on a customer route");

    let (customer_token, _) = {
        let link = h.link_for("customer@disjoint.test").await;
        let token = link.rsplit("token=").next().unwrap().to_owned();
        h.complete(&token, "customer passphrase 1").await;
        h.session("customer@disjoint.test", "customer passphrase 1").await
    };
    let r = h.authed(Method::GET, "/api/v1/admin/me", &customer_token, None).await;
    r.expect(401, "unauthenticated");
    let r = h.call(request(Method::GET, "/api/v1/admin/roles", None, None)).await;
    r.expect(401, "unauthenticated");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_without_totp_are_refused_writes_but_not_self_service(pool: PgPool) {
    let h = harness(pool.clone()).await;
    // Every role, not only SuperAdmins, must turn TOTP on before writing (SECURITY.md §1.7).
    for role in Role::ALL {
        let user = staff_without_mfa(&h, role).await;
        let principal = h.state.admin.auth.authenticate(&user.token).await.unwrap();
        assert!(h.state.admin.auth.mfa_required(&principal), "{role:?}");
        // A non-self write the role may make is refused before anything else happens…
        let writes: Vec<_> = staff_operations()
            .into_iter()
            .filter(|(m, _, p)| *m != Method::GET && p != "self" && Permission::parse(p).is_some_and(|p| role.can(p)))
            .collect();
        for (method, path, _) in &writes {
            let r = h.authed(method.clone(), path, &user.token, Some(json!({}))).await;
            r.expect(403, "mfa_required");
        }
        // …reads and self-service are not.
        h.authed(Method::GET, "/api/v1/admin/me", &user.token, None).await.ok(200);
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn setup_links_work_once_and_expire(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (row, link) = bare_admin(&h, "Ops", "moderator", Some("ops@staff.test")).await;
    let token = link.rsplit("token=").next().unwrap().to_owned();
    // Only the hash is stored.
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM staff.one_time_tokens WHERE token_hash = $1")
        .bind(tokens::token_hash(&token))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let r = h.post("/api/v1/admin/auth/setup", json!({ "token": token, "password": "short" })).await;
    r.expect(422, "validation_failed");
    let r = h.post("/api/v1/admin/auth/setup", json!({ "token": token, "password": PASSWORD })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = h.post("/api/v1/admin/auth/setup", json!({ "token": token, "password": PASSWORD })).await;
    r.expect(410, "link_invalid");
    sign_in(&h, "ops@staff.test").await;

    let (_, link) = bare_admin(&h, "Late", "support_bot", None).await;
    let token = link.rsplit("token=").next().unwrap().to_owned();
    sqlx::query("UPDATE staff.one_time_tokens SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    let r = h.post("/api/v1/admin/auth/setup", json!({ "token": token, "password": PASSWORD })).await;
    r.expect(410, "link_expired");

    let audit: Vec<String> = sqlx::query_scalar("SELECT action FROM staff.audit_log WHERE target_id = $1 ORDER BY at")
        .bind(row.id.to_string())
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(audit, ["admin.create", "admin.setup"]);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn login_refuses_wrong_passwords_and_disabled_accounts(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (id, email) = admin(&h, Role::CustomerSupport).await;
    let token = sign_in(&h, &email).await;
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": "wrong password" })).await;
    r.expect(401, "invalid_credentials");
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": "nobody@staff.test", "password": PASSWORD })).await;
    r.expect(401, "invalid_credentials");
    sqlx::query("UPDATE staff.admins SET status = 'disabled' WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": PASSWORD })).await;
    r.expect(403, "account_disabled");
    // A live token of a disabled account stops working at once.
    let r = h.authed(Method::GET, "/api/v1/admin/me", &token, None).await;
    r.expect(403, "account_disabled");
}

#[tokio::test]
async fn cli_bootstraps_the_first_super_admin_on_a_fresh_database() {
    let db = crate::support::TempDatabase::create("cli_admin").await;
    let url = db.url.clone();
    let prefix = crate::support::redis_prefix();
    let cli = |args: &[&str]| {
        let mut c = crate::support::HeliumCommand::cli()
            .env("DATABASE_URL", url.clone())
            .env("REDIS_KEY_PREFIX", prefix.clone());
        for a in args {
            c = c.arg(*a);
        }
        c
    };
    let out = cli(&["init-config"]).run(Duration::from_secs(60)).await;
    assert_eq!(out.code(), Some(0), "{}", out.output());
    let out = cli(&[
        "admin",
        "create",
        "--name",
        "System Administrator",
        "--role",
        "Super-Admin",
        "--email",
        "Root@Example.test",
    ])
    .run(Duration::from_secs(60))
    .await;
    assert_eq!(out.code(), Some(0), "{}", out.output());
    assert!(out.stdout.contains("Successfully created admin account:"), "{}", out.stdout);
    assert!(out.stdout.contains("Role: Super Admin"));
    assert!(out.stdout.contains("Email: root@example.test"));
    let link = out.stdout.lines().find(|l| l.contains("/admin/setup?token=")).expect("setup link").trim().to_owned();
    let id = out.stdout.lines().find_map(|l| l.strip_prefix("ID: ")).unwrap().trim().to_owned();

    let out = cli(&["admin", "create", "--name", "X", "--role", "root"]).run(Duration::from_secs(60)).await;
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("Invalid admin role"), "{}", out.stderr);

    let out = cli(&["admin", "list", "--limit", "10"]).run(Duration::from_secs(60)).await;
    assert_eq!(out.code(), Some(0));
    assert!(out.stdout.starts_with("Found 1 admin account(s):"), "{}", out.stdout);
    assert!(out.stdout.contains(&id) && out.stdout.contains("Super Admin"));

    let out = cli(&["admin", "show", &id]).run(Duration::from_secs(60)).await;
    assert!(out.stdout.contains("Admin Account Details:") && out.stdout.contains("Name: System Administrator"));

    // The printed link sets the password through the server.
    let pool = db.pool().await;
    let h = harness(pool.clone()).await;
    let token = link.rsplit("token=").next().unwrap();
    let r = h.post("/api/v1/admin/auth/setup", json!({ "token": token, "password": PASSWORD })).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let staff_token = sign_in(&h, "root@example.test").await;
    let me = h.authed(Method::GET, "/api/v1/admin/me", &staff_token, None).await;
    assert_eq!(me.ok(200)["role"], "super_admin");

    // Deleting asks for confirmation; without a terminal and without --yes it refuses.
    let out = cli(&["admin", "delete", &id]).run(Duration::from_secs(60)).await;
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    // The last SuperAdmin cannot be deleted, even from the CLI.
    let out = cli(&["admin", "delete", &id, "--yes"]).run(Duration::from_secs(60)).await;
    assert_eq!(out.code(), Some(1), "{}", out.output());
    assert!(out.stderr.contains("last active SuperAdmin"), "{}", out.stderr);
    let out = cli(&["admin", "create", "--name", "Second", "--role", "superadmin", "--email", "two@example.test"])
        .run(Duration::from_secs(60))
        .await;
    assert_eq!(out.code(), Some(0));
    let out = cli(&["admin", "delete", &id, "--yes"]).run(Duration::from_secs(60)).await;
    assert_eq!(out.code(), Some(0), "{}", out.output());
    assert!(out.stdout.contains(&format!("Successfully deleted admin account: {id}")));
    // Its token died with it.
    let r = h.authed(Method::GET, "/api/v1/admin/me", &staff_token, None).await;
    r.expect(401, "unauthenticated");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM staff.audit_log WHERE actor_type = 'cli' ORDER BY at")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(actions, ["admin.create", "admin.create", "admin.delete"]);
    pool.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_purge_job_removes_stale_setup_links_only(pool: PgPool) {
    use helium_infra::cron::{Job, JobContext, PurgeOneTimeTokens};
    let h = harness(pool.clone()).await;
    let (stale, _) = bare_admin(&h, "Stale", "moderator", None).await;
    let (fresh, _) = bare_admin(&h, "Fresh", "moderator", None).await;
    sqlx::query("UPDATE staff.one_time_tokens SET expires_at = now() - interval '2 days' WHERE admin_id = $1")
        .bind(stale.id)
        .execute(&pool)
        .await
        .unwrap();
    let ctx = JobContext {
        db: helium_infra::db::Db::new(pool.clone()),
        config: h.state.config.clone(),
        keys: h.state.keys.clone(),
    };
    assert_eq!(PurgeOneTimeTokens.run(&ctx).await.unwrap(), 1);
    let left: Vec<Uuid> =
        sqlx::query_scalar("SELECT admin_id FROM staff.one_time_tokens").fetch_all(&pool).await.unwrap();
    assert_eq!(left, [fresh.id]);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_password_failures_are_limited_per_address(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (_, email) = admin(&h, Role::Moderator).await;
    for _ in 0..10 {
        let r = h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": "wrong password!" })).await;
        r.expect(401, "invalid_credentials");
    }
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": PASSWORD })).await;
    r.expect(429, "too_many_attempts");
}

/// Support tickets (API.md §3): SuperAdmin, Moderator and CustomerSupport may do everything;
/// SupportBot reads and replies only — no internal note (checked past the route guard), no
/// assignment, no status. Checked with real bodies on a real ticket, as a session and as a key.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn ticket_routes_follow_the_role_matrix(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let spec: Value = serde_json::from_str(&helium_api::app::openapi_json()).unwrap();
    let declared = |path: &str, method: &str| spec["paths"][path][method]["x-helium-permission"].clone();
    assert_eq!(declared("/api/v1/admin/tickets", "get"), "tickets.read");
    assert_eq!(declared("/api/v1/admin/tickets/{id}", "get"), "tickets.read");
    assert_eq!(declared("/api/v1/admin/tickets/{id}/messages", "post"), "tickets.reply");
    assert_eq!(declared("/api/v1/admin/tickets/{id}/assign", "post"), "tickets.manage");
    assert_eq!(declared("/api/v1/admin/tickets/{id}/status", "post"), "tickets.manage");

    let customer = crate::support::shop::customer(&pool).await;
    let cmd = helium_domain::support::commands::NewTicket::new("Matrix", "Hello", "normal", None).unwrap();
    let (ticket, _) = h.state.support.tickets.create(customer, &cmd).await.unwrap();
    let base = format!("/api/v1/admin/tickets/{}", ticket.id);
    let mut checked = 0;
    for role in Role::ALL {
        let user = staff(&h, role).await;
        let key = api_key(&pool, role, user.id).await;
        let manager = role != Role::SupportBot;
        let operations = [
            (Method::GET, "/api/v1/admin/tickets".to_owned(), None, true),
            (Method::GET, base.clone(), None, true),
            (Method::POST, format!("{base}/messages"), Some(json!({ "body": "Hello" })), true),
            (Method::POST, format!("{base}/messages"), Some(json!({ "body": "Note", "internal": true })), manager),
            (Method::POST, format!("{base}/assign"), Some(json!({ "assignee_id": user.id })), manager),
            // Replies leave the ticket pending; open ⇄ pending alternate from there.
            (Method::POST, format!("{base}/status"), Some(json!({ "status": "open" })), manager),
            (Method::POST, format!("{base}/status"), Some(json!({ "status": "pending" })), manager),
        ];
        for (who, credential) in [("session", &user.token), ("api key", &key)] {
            for (method, path, body, allowed) in &operations {
                let r = h.call(request(method.clone(), path, Some(credential), body.as_ref())).await;
                let label = format!("{method} {path} {body:?} as {} {who}", role.as_str());
                if *allowed {
                    assert!(r.status.is_success(), "{label}: expected allowed, got {} {:?}", r.status, r.body);
                } else {
                    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "permission_denied"), "{label}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, Role::ALL.len() * 2 * 7);
}
