//! Staff invitations and staff operations on customer accounts, in-process against the real
//! router: single-use invitation links (also under 20 concurrent accepts), expiry and
//! revocation, taken addresses; customer search / details / pagination, ban (live tokens die
//! at once) and unban, MFA reset, sign-out everywhere, the role table of those writes, the
//! mandatory reason and the audit rows they leave.

use crate::support::totp::{base32_decode, totp};
use std::sync::Arc;

use crate::support::{Harness, Resp, emails, harness};
use axum::http::{Method, StatusCode};
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use uuid::Uuid;

const CUSTOMER_PASSWORD: &str = "Correct-Horse-7-Battery";
const INVITEE_PASSWORD: &str = "invited passphrase 77";
const RACERS: usize = 20;

fn unique(label: &str, domain: &str) -> String {
    format!("{label}-{}@{domain}", &Uuid::new_v4().simple().to_string()[..12])
}

/// A staff account of `role` with a password (CLI create + setup link); signed in.
struct StaffUser {
    id: Uuid,
    token: String,
}

async fn staff(h: &Harness, role: Role) -> StaffUser {
    let user = crate::support::staff::staff(h, role).await;
    StaffUser { id: user.id, token: user.token }
}

async fn staff_sign_in(h: &Harness, email: &str, password: &str) -> String {
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": password })).await;
    r.ok(200)["access_token"].as_str().unwrap().to_owned()
}

/// A customer signed up through the API: (id, email, access token of the sign-up session).
async fn customer(h: &Harness, label: &str) -> (Uuid, String, String) {
    let email = unique(label, "example.test");
    let token = h.link_for(&email).await;
    let body = h.complete(&token, CUSTOMER_PASSWORD).await.ok(201).clone();
    let id = body["account"]["id"].as_str().unwrap().parse().unwrap();
    (id, email, body["tokens"]["access_token"].as_str().unwrap().to_owned())
}

async fn invite(h: &Harness, token: &str, email: &str, role: &str) -> Resp {
    h.authed(
        Method::POST,
        "/api/v1/admin/invitations",
        token,
        Some(json!({ "email": email, "name": "New Colleague", "role": role })),
    )
    .await
}

/// The token of the newest admin_invitation e-mail to `email`.
async fn invitation_token(pool: &PgPool, email: &str) -> String {
    let mails = emails(pool, email).await;
    let mail = mails.iter().rev().find(|m| m["template"] == "admin_invitation").expect("an admin_invitation e-mail");
    let link = mail["context"]["link"].as_str().unwrap();
    assert!(link.contains("/admin/invitations/accept?token="), "{link}");
    link.split_once("?token=").unwrap().1.to_owned()
}

async fn accept(h: &Harness, token: &str, password: &str) -> Resp {
    h.post("/api/v1/admin/invitations/accept", json!({ "token": token, "password": password })).await
}

async fn list_invitations(h: &Harness, token: &str, status: &str) -> Vec<Value> {
    let r = h.authed(Method::GET, &format!("/api/v1/admin/invitations?status={status}"), token, None).await;
    r.ok(200)["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

/// (action, reason, actor_role) of the audit rows about `target_id`, oldest first.
async fn audit(pool: &PgPool, target_id: &str) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT action, reason, actor_role FROM staff.audit_log WHERE target_id = $1 ORDER BY at, id")
        .bind(target_id)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn scalar(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(pool).await.unwrap()
}

fn customer_path(id: Uuid, tail: &str) -> String {
    format!("/api/v1/admin/customers/{id}{tail}")
}

async fn customer_write(h: &Harness, token: &str, id: Uuid, tail: &str, reason: &str) -> Resp {
    h.authed(Method::POST, &customer_path(id, tail), token, Some(json!({ "reason": reason }))).await
}

/// A first factor that must hand out tokens (no MFA challenge): the access token.
async fn signs_in_without_mfa(h: &Harness, email: &str) -> String {
    let r = h.login(email, CUSTOMER_PASSWORD).await;
    let body = r.ok(200);
    assert!(body.get("mfa_token").is_none(), "no challenge expected: {body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// The access token must be refused (401 or 403) on its next request.
#[track_caller]
fn refused(r: &Resp, what: &str) {
    assert!(
        r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::FORBIDDEN,
        "{what}: expected 401/403, got {} {}",
        r.status,
        r.body
    );
}

// ---------------------------------------------------------------- invitations

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_invitation_is_accepted_once_under_20_concurrent_accepts(_opts: PgPoolOptions, connect: PgConnectOptions) {
    let pool = PgPoolOptions::new().max_connections(RACERS as u32 * 2 + 5).connect_with(connect).await.unwrap();
    let h = harness(pool.clone()).await;
    let boss = staff(&h, Role::SuperAdmin).await;
    let invitee = unique("invitee", "staff.test");
    // Staff without TOTP may not invite (nor write anything else).
    let unenrolled = crate::support::staff::staff_without_mfa(&h, Role::SuperAdmin).await;
    invite(&h, &unenrolled.token, &invitee, "customer_support").await.expect(403, "mfa_required");

    let created = invite(&h, &boss.token, &invitee.to_uppercase(), "customer_support").await;
    let inv = created.ok(201).clone();
    assert_eq!(inv["email"], invitee, "addresses are normalised");
    assert_eq!(inv["role"], "customer_support");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["invited_by"], boss.id.to_string());
    assert!(inv.get("token").is_none() && inv.get("token_hash").is_none(), "{inv}");
    let inv_id = inv["id"].as_str().unwrap().to_owned();
    let token = invitation_token(&pool, &invitee).await;
    assert!(!created.body.to_string().contains(&token));
    assert!(ids(&list_invitations(&h, &boss.token, "pending").await).contains(&inv_id));

    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let racers = (0..RACERS).map(|_| {
        let (h, token, barrier) = (h.clone(), token.clone(), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            accept(&h, &token, INVITEE_PASSWORD).await
        })
    });
    let results: Vec<Resp> = futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "exactly one accept: {statuses:?}");
    for r in results.iter().filter(|r| r.status != StatusCode::CREATED) {
        r.expect(410, "invitation_used");
    }
    let admin = results.iter().find(|r| r.status == StatusCode::CREATED).unwrap().body.clone();
    assert_eq!((admin["email"].as_str(), admin["role"].as_str()), (Some(invitee.as_str()), Some("customer_support")));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM staff.admins WHERE email = $1")
        .bind(&invitee)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "exactly one staff account for the address");

    // The new colleague signs in with the chosen password and has the invited role.
    let colleague = staff_sign_in(&h, &invitee, INVITEE_PASSWORD).await;
    let me = h.authed(Method::GET, "/api/v1/admin/me", &colleague, None).await;
    assert_eq!(me.ok(200)["role"], "customer_support");
    // Once more after the race: still used.
    accept(&h, &token, INVITEE_PASSWORD).await.expect(410, "invitation_used");

    let accepted = list_invitations(&h, &boss.token, "accepted").await;
    let row = accepted.iter().find(|i| i["id"] == inv_id.as_str()).expect("listed as accepted");
    assert_eq!(row["admin_id"], admin["id"]);
    assert!(row["accepted_at"].is_string());
    assert!(!ids(&list_invitations(&h, &boss.token, "pending").await).contains(&inv_id));

    // The address is now staff.
    invite(&h, &boss.token, &invitee, "moderator").await.expect(409, "admin_email_taken");

    let actions: Vec<String> = audit(&pool, &inv_id).await.into_iter().map(|a| a.0).collect();
    assert_eq!(actions, ["invitation.create"]);
    let admin_id = admin["id"].as_str().unwrap();
    let accepted_audit = audit(&pool, admin_id).await;
    assert_eq!(accepted_audit.len(), 1, "{accepted_audit:?}");
    assert_eq!(accepted_audit[0].0, "invitation.accept");
    assert_eq!(accepted_audit[0].2.as_deref(), Some("customer_support"));

    // An accepted invitation cannot be revoked: 409 invitation_used (as documented for
    // adminRevokeInvitation), and nothing changes.
    let r = h.authed(Method::DELETE, &format!("/api/v1/admin/invitations/{inv_id}"), &boss.token, None).await;
    r.expect(409, "invitation_used");
    assert_eq!(audit(&pool, &inv_id).await.len(), 1);
    pool.close().await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn expired_revoked_and_taken_invitations(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let boss = staff(&h, Role::SuperAdmin).await;

    // Expired: 410 invitation_expired, listed as expired, and the address may be invited again.
    let late = unique("late", "staff.test");
    let inv = invite(&h, &boss.token, &late, "moderator").await.ok(201).clone();
    let late_token = invitation_token(&pool, &late).await;
    sqlx::query("UPDATE staff.invitations SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(inv["id"].as_str().unwrap().parse::<Uuid>().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    accept(&h, &late_token, INVITEE_PASSWORD).await.expect(410, "invitation_expired");
    assert!(ids(&list_invitations(&h, &boss.token, "expired").await).contains(&inv["id"].as_str().unwrap().to_owned()));
    let again = invite(&h, &boss.token, &late, "moderator").await.ok(201).clone();
    assert_ne!(again["id"], inv["id"]);
    let fresh_token = invitation_token(&pool, &late).await;
    assert_ne!(fresh_token, late_token);
    // The retired link stays dead (re-inviting retires it, so it may read as revoked).
    let r = accept(&h, &late_token, INVITEE_PASSWORD).await;
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    assert!(["invitation_expired", "link_invalid"].contains(&r.code()), "{}", r.body);

    // Revoked: 204 (twice), its link answers link_invalid, listed as revoked.
    let rid = again["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/invitations/{rid}");
    assert_eq!(h.authed(Method::DELETE, &path, &boss.token, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.authed(Method::DELETE, &path, &boss.token, None).await.status, StatusCode::NO_CONTENT);
    accept(&h, &fresh_token, INVITEE_PASSWORD).await.expect(410, "link_invalid");
    assert!(ids(&list_invitations(&h, &boss.token, "revoked").await).contains(&rid));
    let actions: Vec<String> = audit(&pool, &rid).await.into_iter().map(|a| a.0).collect();
    assert_eq!(actions, ["invitation.create", "invitation.revoke"], "one revoke row for two calls");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM staff.admins WHERE email = $1")
        .bind(&late)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);

    // Unknown token / id.
    accept(&h, "not-a-real-token", INVITEE_PASSWORD).await.expect(410, "link_invalid");
    let unknown = format!("/api/v1/admin/invitations/{}", Uuid::now_v7());
    h.authed(Method::DELETE, &unknown, &boss.token, None).await.expect(404, "not_found");

    // Taken: an open invitation, or an existing staff account (any case).
    let open = unique("open", "staff.test");
    invite(&h, &boss.token, &open, "support_bot").await.ok(201);
    invite(&h, &boss.token, &open, "moderator").await.expect(409, "admin_email_taken");
    let (_, mate) = crate::support::staff::create_staff(&h.state, Role::Moderator, "Mate").await;
    invite(&h, &boss.token, &mate.to_uppercase(), "moderator").await.expect(409, "admin_email_taken");

    // Validation and the role table.
    invite(&h, &boss.token, &unique("x", "staff.test"), "root").await.expect(422, "validation_failed");
    h.authed(Method::GET, "/api/v1/admin/invitations?status=bogus", &boss.token, None)
        .await
        .expect(422, "validation_failed");
    let weak = accept(&h, "whatever", "short").await;
    weak.expect(422, "validation_failed");
    let moderator = staff(&h, Role::Moderator).await;
    invite(&h, &moderator.token, &unique("y", "staff.test"), "support_bot").await.expect(403, "permission_denied");
    h.authed(Method::GET, "/api/v1/admin/invitations", &moderator.token, None).await.expect(403, "permission_denied");
}

// ---------------------------------------------------------------- customers

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_ban_kills_live_tokens_at_once_and_an_unban_restores_sign_in(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let support = staff(&h, Role::CustomerSupport).await;
    let (id, email, first_access) = customer(&h, "banned").await;
    let (access, refresh) = h.session(&email, CUSTOMER_PASSWORD).await;
    // Both sessions work (and their checks are now cached).
    h.me(&access).await.ok(200);
    h.me(&first_access).await.ok(200);
    let detail = h.authed(Method::GET, &customer_path(id, ""), &support.token, None).await.ok(200).clone();
    assert_eq!(detail["sessions"].as_array().unwrap().len(), 2, "{detail}");

    let banned = customer_write(&h, &support.token, id, "/ban", "  chargeback fraud  ").await;
    let body = banned.ok(200);
    assert_eq!((body["id"].as_str(), body["status"].as_str()), (Some(id.to_string().as_str()), Some("banned")));
    refused(&h.me(&access).await, "the live access token right after the ban");
    refused(&h.me(&first_access).await, "the sign-up session right after the ban");
    refused(&h.refresh(&refresh).await, "refreshing a banned session");
    h.login(&email, CUSTOMER_PASSWORD).await.expect(403, "account_banned");
    customer_write(&h, &support.token, id, "/ban", "again").await.expect(409, "invalid_state");
    let detail = h.authed(Method::GET, &customer_path(id, ""), &support.token, None).await.ok(200).clone();
    assert_eq!(detail["status"], "banned");
    assert_eq!(detail["sessions"], json!([]));
    let live = "SELECT count(*) FROM auth.sessions WHERE user_id = $1 AND revoked_at IS NULL";
    assert_eq!(scalar(&pool, live, id).await, 0);

    let unbanned = customer_write(&h, &support.token, id, "/unban", "appeal accepted").await;
    assert_eq!(unbanned.ok(200)["status"], "active");
    customer_write(&h, &support.token, id, "/unban", "twice").await.expect(409, "invalid_state");
    // The old tokens stay dead; a new sign-in works.
    refused(&h.me(&access).await, "a pre-ban token after the unban");
    let fresh = signs_in_without_mfa(&h, &email).await;
    assert_eq!(h.me(&fresh).await.ok(200)["id"], id.to_string());

    let rows = audit(&pool, &id.to_string()).await;
    let expected = [
        ("customer.ban".to_owned(), Some("chargeback fraud".to_owned()), Some("customer_support".to_owned())),
        ("customer.unban".to_owned(), Some("appeal accepted".to_owned()), Some("customer_support".to_owned())),
    ];
    assert_eq!(rows, expected);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn writes_need_a_reason_and_the_right_role(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let bot = staff(&h, Role::SupportBot).await;
    let moderator = staff(&h, Role::Moderator).await;
    let (id, email, access) = customer(&h, "target").await;

    // A reason is required (missing or empty; blank: see a_blank_reason_is_refused).
    for body in [json!({}), json!({ "reason": "" })] {
        for tail in ["/ban", "/unban", "/mfa/reset"] {
            let r = h.authed(Method::POST, &customer_path(id, tail), &moderator.token, Some(body.clone())).await;
            r.expect(422, "validation_failed");
            let fields: Vec<&str> =
                r.body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
            assert!(fields.contains(&"reason"), "{tail} {body}: {}", r.body);
        }
    }
    h.me(&access).await.ok(200);
    assert_eq!(audit(&pool, &id.to_string()).await, []);

    // SupportBot reads but never writes.
    let list = h.authed(Method::GET, "/api/v1/admin/customers", &bot.token, None).await;
    assert!(ids(list.ok(200)["items"].as_array().unwrap()).contains(&id.to_string()));
    assert_eq!(h.authed(Method::GET, &customer_path(id, ""), &bot.token, None).await.ok(200)["email"], email);
    for tail in ["/ban", "/unban", "/mfa/reset"] {
        customer_write(&h, &bot.token, id, tail, "because").await.expect(403, "permission_denied");
    }
    h.authed(Method::DELETE, &customer_path(id, "/sessions"), &bot.token, None).await.expect(403, "permission_denied");
    h.me(&access).await.ok(200);

    // Staff without TOTP are refused writes (reads go through); with TOTP they may write.
    let unenrolled = crate::support::staff::staff_without_mfa(&h, Role::Moderator).await;
    customer_write(&h, &unenrolled.token, id, "/ban", "spam").await.expect(403, "mfa_required");
    h.authed(Method::GET, &customer_path(id, ""), &unenrolled.token, None).await.ok(200);
    customer_write(&h, &moderator.token, id, "/ban", "spam").await.ok(200);

    // Unknown account and no credentials.
    let ghost = Uuid::now_v7();
    h.authed(Method::GET, &customer_path(ghost, ""), &bot.token, None).await.expect(404, "not_found");
    customer_write(&h, &moderator.token, ghost, "/ban", "x").await.expect(404, "not_found");
    customer_write(&h, &moderator.token, ghost, "/mfa/reset", "x").await.expect(404, "not_found");
    h.authed(Method::DELETE, &customer_path(ghost, "/sessions"), &moderator.token, None).await.expect(404, "not_found");
    let r = h.call(crate::support::request(Method::GET, "/api/v1/admin/customers", None, None)).await;
    r.expect(401, "unauthenticated");
    // A customer token is no staff credential.
    let (_, _, other) = customer(&h, "other").await;
    h.authed(Method::GET, "/api/v1/admin/customers", &other, None).await.expect(401, "unauthenticated");
}

/// A reason of spaces only is no reason: it must be refused like an empty one, not stored as
/// an empty audit reason.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_blank_reason_is_refused(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let moderator = staff(&h, Role::Moderator).await;
    let (id, _, access) = customer(&h, "blank").await;
    for tail in ["/ban", "/unban", "/mfa/reset"] {
        let r = customer_write(&h, &moderator.token, id, tail, "   ").await;
        r.expect(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], "reason", "{}", r.body);
    }
    h.me(&access).await.ok(200);
    assert_eq!(audit(&pool, &id.to_string()).await, []);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_mfa_reset_removes_totp_and_tells_the_customer(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let support = staff(&h, Role::CustomerSupport).await;
    let (id, email, access) = customer(&h, "lost-phone").await;
    customer_write(&h, &support.token, id, "/mfa/reset", "no mfa yet").await.expect(409, "mfa_not_enabled");

    // TOTP on through the customer API.
    let setup = h.authed(Method::POST, "/api/v1/auth/mfa/totp/setup", &access, None).await;
    let seed = base32_decode(setup.ok(200)["secret"].as_str().unwrap());
    let step = chrono::Utc::now().timestamp() as u64 / 30;
    let code = totp(&seed, step);
    let enabled = h.authed(Method::POST, "/api/v1/auth/mfa/totp/enable", &access, Some(json!({ "code": code }))).await;
    enabled.ok(200);
    let challenge = h.login(&email, CUSTOMER_PASSWORD).await;
    assert_eq!(challenge.ok(200)["mfa_required"], true, "{}", challenge.body);
    let detail = h.authed(Method::GET, &customer_path(id, ""), &support.token, None).await.ok(200).clone();
    assert_eq!(detail["mfa_enabled"], true);
    let text = detail.to_string().to_lowercase();
    assert!(!text.contains("hash") && !text.contains("secret"), "no secrets in {detail}");
    let kinds: Vec<&str> =
        detail["login_methods"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"password") && !kinds.contains(&"oauth"), "{detail}");

    let r = customer_write(&h, &support.token, id, "/mfa/reset", "identity verified by video call").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let detail = h.authed(Method::GET, &customer_path(id, ""), &support.token, None).await.ok(200).clone();
    assert_eq!(detail["mfa_enabled"], false);
    let left = "SELECT (SELECT count(*) FROM auth.totp WHERE user_id = $1) + (SELECT count(*) FROM auth.recovery_codes WHERE user_id = $1)";
    assert_eq!(scalar(&pool, left, id).await, 0);
    signs_in_without_mfa(&h, &email).await;
    customer_write(&h, &support.token, id, "/mfa/reset", "again").await.expect(409, "mfa_not_enabled");

    let mails = emails(&pool, &email).await;
    let notice =
        mails.iter().rev().find(|m| m["template"] == "security_mfa_changed").expect("a security_mfa_changed e-mail");
    assert_eq!(notice["context"]["enabled"], false, "{notice}");
    let rows = audit(&pool, &id.to_string()).await;
    assert_eq!(
        rows,
        [(
            "customer.mfa_reset".to_owned(),
            Some("identity verified by video call".to_owned()),
            Some("customer_support".to_owned())
        )]
    );
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn revoking_sessions_signs_a_customer_out_everywhere(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let support = staff(&h, Role::CustomerSupport).await;
    let (id, email, first) = customer(&h, "everywhere").await;
    let (second, refresh) = h.session(&email, CUSTOMER_PASSWORD).await;
    h.me(&first).await.ok(200);
    h.me(&second).await.ok(200);

    let r = h.authed(Method::DELETE, &customer_path(id, "/sessions"), &support.token, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    refused(&h.me(&first).await, "first session");
    refused(&h.me(&second).await, "second session");
    assert_eq!(h.refresh(&refresh).await.status, StatusCode::UNAUTHORIZED);
    let detail = h.authed(Method::GET, &customer_path(id, ""), &support.token, None).await.ok(200).clone();
    assert_eq!(detail["sessions"], json!([]));
    assert_eq!(detail["status"], "active");
    // Not a ban: the customer signs in again at once.
    let fresh = signs_in_without_mfa(&h, &email).await;
    h.me(&fresh).await.ok(200);
    let rows = audit(&pool, &id.to_string()).await;
    assert_eq!(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["customer.sessions_revoke"]);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customers_are_searched_by_fragment_and_id_and_paginated(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let support = staff(&h, Role::CustomerSupport).await;
    let tag = &Uuid::new_v4().simple().to_string()[..10];
    let mut made = Vec::new();
    for n in 0..3 {
        let (id, _, _) = customer(&h, &format!("find{tag}n{n}")).await;
        made.push(id.to_string());
    }
    customer(&h, "unrelated").await;
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    let get = |path: String| {
        let h = h.clone();
        let token = support.token.clone();
        async move { h.authed(Method::GET, &path, &token, None).await }
    };

    let r = get(format!("/api/v1/admin/customers?q={tag}")).await;
    let page = r.ok(200);
    assert_eq!(ids(page["items"].as_array().unwrap()), newest_first);
    assert_eq!(page["next_cursor"], Value::Null);
    let item = &page["items"][0];
    assert_eq!(item["status"], "active");
    assert_eq!(item["mfa_enabled"], false);
    let text = page.to_string().to_lowercase();
    assert!(!text.contains("hash") && !text.contains("secret"), "{page}");
    // Case-insensitive, and an id finds exactly its account.
    let r = get(format!("/api/v1/admin/customers?q=FIND{}", tag.to_uppercase())).await;
    assert_eq!(ids(r.ok(200)["items"].as_array().unwrap()), newest_first);
    let r = get(format!("/api/v1/admin/customers?q={}", made[1])).await;
    assert_eq!(ids(r.ok(200)["items"].as_array().unwrap()), [made[1].clone()]);
    let r = get("/api/v1/admin/customers?q=nobody-has-this-fragment".to_owned()).await;
    assert_eq!(r.ok(200)["items"], json!([]));
    // Found by schemathesis: a NUL in the search reached PostgreSQL as a 500.
    let r = get("/api/v1/admin/customers?q=%F0%94%B3%9F%5Bb5%C3%AF%C3%B8%00".to_owned()).await;
    r.expect(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "q");
    get(format!("/api/v1/admin/customers?q={}", "x".repeat(255))).await.expect(422, "validation_failed");

    // Cursor pagination, one per page.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/admin/customers?q={tag}&limit=1");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = get(path).await;
        let page = r.ok(200).clone();
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{page}");
        seen.extend(ids(items));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(seen.len() < 10, "runaway pagination");
    }
    assert_eq!(seen, newest_first);
    // A cursor is bound to its filters.
    let first = get(format!("/api/v1/admin/customers?q={tag}&limit=1")).await;
    let c = first.ok(200)["next_cursor"].as_str().unwrap().to_owned();
    get(format!("/api/v1/admin/customers?q=find&limit=1&cursor={c}")).await.expect(400, "invalid_cursor");
    get("/api/v1/admin/customers?cursor=garbage".to_owned()).await.expect(400, "invalid_cursor");

    // Status filter.
    let victim: Uuid = made[0].parse().unwrap();
    customer_write(&h, &support.token, victim, "/ban", "abuse").await.ok(200);
    let r = get(format!("/api/v1/admin/customers?q={tag}&status=banned")).await;
    assert_eq!(ids(r.ok(200)["items"].as_array().unwrap()), [made[0].clone()]);
    let r = get(format!("/api/v1/admin/customers?q={tag}&status=active")).await;
    assert_eq!(ids(r.ok(200)["items"].as_array().unwrap()), [made[2].clone(), made[1].clone()]);

    // Bad filters.
    get("/api/v1/admin/customers?status=deleted".to_owned()).await.expect(422, "validation_failed");
    get("/api/v1/admin/customers?limit=0".to_owned()).await.expect(422, "validation_failed");
    get("/api/v1/admin/customers?limit=101".to_owned()).await.expect(422, "validation_failed");
}
