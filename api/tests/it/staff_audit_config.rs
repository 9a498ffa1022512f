//! Staff governance through the real router in-process: the append-only audit log (refused by
//! the database itself), its filtered, cursor-paginated listing, and the configuration
//! documents (secrets masked, masked secrets kept on update, If-Match, validation, the audit
//! row of every change). Each test gets a fresh database.

use std::time::{Duration, Instant};

use crate::support::*;
use axum::http::{HeaderValue, Method, header};
use helium_domain::admin::Role;
use helium_domain::audit::{Actor, ActorKind, AuditAction, Change};
use helium_domain::config::{ConfigKind, SECRET_MASK};
use helium_infra::ConfigStore;
use helium_infra::audit;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

const PREVIOUS_NODE_TOKEN: &str = "previous-node-token-0123456789abcdef-0123";
const SMTP_PASSWORD: &str = "smtp-password-0123456789";
const OAUTH_SECRET: &str = "oauth-client-secret-0123456789-abcdefghijklmnop";

/// A staff account of `role`, signed in with TOTP: (id, staff token).
async fn staff(h: &Harness, role: &str, _email: &str) -> (Uuid, String) {
    let user = crate::support::staff::staff(h, Role::parse(role).unwrap()).await;
    (user.id, user.token)
}

async fn get(h: &Harness, token: &str, path: &str) -> Resp {
    h.authed(Method::GET, path, token, None).await
}

async fn put_config(h: &Harness, token: &str, key: &str, value: &Value, if_match: Option<&str>) -> Resp {
    let body = json!({ "value": value });
    let mut req = request(Method::PUT, &format!("/api/v1/admin/config/{key}"), Some(token), Some(&body));
    if let Some(tag) = if_match {
        req.headers_mut().insert(header::IF_MATCH, HeaderValue::from_str(tag).unwrap());
    }
    h.call(req).await
}

/// Every string of `raw` that `masked` shows as the mask (the stored secrets).
fn masked_secrets(raw: &Value, masked: &Value, out: &mut Vec<String>) {
    match (raw, masked) {
        (Value::String(r), Value::String(m)) if m == SECRET_MASK && r != SECRET_MASK => out.push(r.clone()),
        (Value::Object(r), Value::Object(m)) => {
            for (k, rv) in r {
                if let Some(mv) = m.get(k) {
                    masked_secrets(rv, mv, out);
                }
            }
        }
        (Value::Array(r), Value::Array(m)) => r.iter().zip(m).for_each(|(a, b)| masked_secrets(a, b, out)),
        _ => {}
    }
}

async fn stored(pool: &PgPool, key: &str) -> (Value, i64) {
    sqlx::query_as("SELECT value, version FROM application__config WHERE key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn audit_rows(pool: &PgPool, action: &str) -> Vec<(String, Option<Uuid>, Option<String>, Value, Value)> {
    sqlx::query_as(
        "SELECT actor_type, actor_id, target_id, before, after FROM staff.audit_log WHERE action = $1 ORDER BY at",
    )
    .bind(action)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn audit_log_is_append_only(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    let change = Change::new(AuditAction::ConfigUpdate, "config", "shop")
        .before(json!({ "a": 1 }))
        .after(json!({ "a": 2 }))
        .reason("test");
    let keys = helium_infra::identity::keyring::DataKey::default();
    let id = audit::append(&mut conn, &keys, &Actor::cli(), change).await.unwrap();
    drop(conn);
    let row = || async {
        sqlx::query_as::<_, (String, String, Option<Value>)>(
            "SELECT action, actor_type, after FROM staff.audit_log WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let original = row().await;
    for sql in [
        "UPDATE staff.audit_log SET action = 'tampered', after = '{}'::jsonb",
        "DELETE FROM staff.audit_log",
        "TRUNCATE staff.audit_log",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(row().await, original);
    assert_eq!(count(&pool, "SELECT count(*) FROM staff.audit_log").await, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn config_round_trip_keeps_secrets_and_audits_the_change(pool: PgPool) {
    let h = harness(pool.clone()).await;
    // An OAuth provider, so a nested (array) secret is covered too.
    let mut auth = h.state.config.load(ConfigKind::Auth).await.unwrap().unwrap().value;
    auth["oauth_providers"]["providers"] = json!([{
        "name": "google", "client_id": "client-id.apps", "client_secret": OAUTH_SECRET,
        "redirect_uri": "https://app.example.com/oauth/google"
    }]);
    h.state.config.put(ConfigKind::Auth, &auth, None).await.unwrap();
    let mut mailer = h.state.config.load(ConfigKind::Mailer).await.unwrap().unwrap().value;
    mailer["password"] = json!(SMTP_PASSWORD);
    h.state.config.put(ConfigKind::Mailer, &mailer, None).await.unwrap();
    // A node-token rotation under way, so the previous token is covered too.
    let mut telecom = h.state.config.load(ConfigKind::Telecom).await.unwrap().unwrap().value;
    telecom["vpn_server_token_previous"] = json!(PREVIOUS_NODE_TOKEN);
    h.state.config.put(ConfigKind::Telecom, &telecom, None).await.unwrap();
    let (admin_id, token) = staff(&h, "super_admin", "root@example.com").await;

    let list = get(&h, &token, "/api/v1/admin/config").await;
    let keys: Vec<&str> = list.ok(200)["items"].as_array().unwrap().iter().map(|i| s(&i["key"])).collect();
    assert_eq!(keys, ["admin-jwt", "affiliate", "auth", "mailer", "shop", "telecom"]);
    assert!(list.body["items"][0]["version"].is_i64() && list.body["items"][0]["updated_at"].is_string());

    // Every secret of every document is masked; none appears anywhere in a response body.
    let mut secrets = Vec::new();
    for key in keys {
        let res = get(&h, &token, &format!("/api/v1/admin/config/{key}")).await;
        let (raw, version) = stored(&pool, key).await;
        assert_eq!(res.ok(200)["key"], key);
        assert_eq!(res.body["version"], version);
        assert_eq!(res.header("etag"), Some(format!("\"{version}\"").as_str()));
        let before = secrets.len();
        masked_secrets(&raw, &res.body["value"], &mut secrets);
        let expected = ConfigKind::from_key(key).unwrap().secret_paths().len();
        assert_eq!(secrets.len() - before, expected, "{key}: {}", res.body);
    }
    assert_eq!(secrets.len(), 6, "{secrets:?}");
    assert!(secrets.iter().any(|s| s == OAUTH_SECRET) && secrets.iter().any(|s| s == SMTP_PASSWORD));
    assert!(secrets.iter().any(|s| s == PREVIOUS_NODE_TOKEN));
    for secret in &secrets {
        h.assert_never_answered(secret);
    }

    // Aliases and unknown keys.
    assert_eq!(get(&h, &token, "/api/v1/admin/config/market").await.ok(200)["key"], "affiliate");
    get(&h, &token, "/api/v1/admin/config/nope").await.expect(404, "not_found");

    // PUT the masked document with one non-secret change.
    let res = get(&h, &token, "/api/v1/admin/config/auth").await;
    let (raw_before, v1) = stored(&pool, "auth").await;
    let etag = res.header("etag").unwrap().to_owned();
    let mut doc = res.body["value"].clone();
    doc["jwt"]["issuer"] = json!("https://issuer.changed.example");
    let res = put_config(&h, &token, "auth", &doc, Some(&etag)).await;
    assert_eq!(res.ok(200)["version"], v1 + 1);
    assert_eq!(res.header("etag"), Some(format!("\"{}\"", v1 + 1).as_str()));
    assert_eq!(res.body["value"]["jwt"]["secret"], SECRET_MASK);
    assert_eq!(res.body["value"]["oauth_providers"]["providers"][0]["client_secret"], SECRET_MASK);
    let (raw_after, v2) = stored(&pool, "auth").await;
    assert_eq!(v2, v1 + 1);
    assert_eq!(raw_after["jwt"]["secret"], raw_before["jwt"]["secret"]);
    assert_eq!(raw_after["oauth_providers"]["providers"][0]["client_secret"], OAUTH_SECRET);
    assert_eq!(raw_after["jwt"]["issuer"], "https://issuer.changed.example");
    assert_eq!(h.auth_config().await.jwt.issuer, "https://issuer.changed.example", "this process at once");

    // Its audit row: who, what, only the changed top-level field, secrets redacted.
    let rows = audit_rows(&pool, "config.update").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (actor_type, actor_id, target_id, before, after) = &rows[0];
    assert_eq!((actor_type.as_str(), *actor_id, target_id.as_deref()), ("admin", Some(admin_id), Some("auth")));
    assert_eq!(after["jwt"]["issuer"], "https://issuer.changed.example");
    assert_eq!(before["jwt"]["issuer"], raw_before["jwt"]["issuer"]);
    assert_eq!((&before["jwt"]["secret"], &after["jwt"]["secret"]), (&json!(SECRET_MASK), &json!(SECRET_MASK)));
    assert!(after.get("email_provider").is_none() && after.get("oauth_providers").is_none(), "{after}");
    let text = format!("{before}{after}");
    assert!(secrets.iter().all(|s| !text.contains(s.as_str())), "{text}");

    // A stale If-Match: 412, nothing written.
    doc["jwt"]["issuer"] = json!("https://issuer.stale.example");
    put_config(&h, &token, "auth", &doc, Some(&etag)).await.expect(412, "precondition_failed");
    assert_eq!(stored(&pool, "auth").await.1, v2);

    // Invalid documents: 422 naming the field; placeholder secrets refused like the server does.
    let mut bad = res.body["value"].clone();
    bad["jwt"]["refresh_token_expiration"] = json!(1);
    let r = put_config(&h, &token, "auth", &bad, None).await;
    r.expect(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "value.jwt.refresh_token_expiration", "{}", r.body);
    let mut bad = res.body["value"].clone();
    bad["jwt"]["secret"] = json!("your-jwt-secret-key-32-characters-long");
    let r = put_config(&h, &token, "auth", &bad, None).await;
    assert_eq!((r.code(), &r.body["errors"][0]["field"]), ("validation_failed", &json!("value.jwt.secret")));
    let mut bad = res.body["value"].clone();
    bad["jwt"]["no_such_field"] = json!(true);
    let r = put_config(&h, &token, "auth", &bad, None).await;
    assert_eq!((r.code(), &r.body["errors"][0]["code"]), ("validation_failed", &json!("unknown_field")));
    let r = h
        .call(request(
            Method::PUT,
            "/api/v1/admin/config/auth",
            Some(&token),
            Some(&json!({ "value": doc, "extra": 1 })),
        ))
        .await;
    assert_eq!((r.code(), &r.body["errors"][0]["field"]), ("validation_failed", &json!("extra")));
    put_config(&h, &token, "nope", &doc, None).await.expect(404, "not_found");
    assert_eq!(stored(&pool, "auth").await.1, v2);
    assert_eq!(audit_rows(&pool, "config.update").await.len(), 1);

    // Without If-Match the write happens; a masked secret with no stored value stays refused.
    let mut telecom = get(&h, &token, "/api/v1/admin/config/telecom").await.body["value"].clone();
    assert_eq!(telecom["vpn_server_token"], SECRET_MASK);
    let (telecom_raw, _) = stored(&pool, "telecom").await;
    telecom["vpn_server_token"] = json!("a-brand-new-node-token-with-enough-entropy-123456");
    put_config(&h, &token, "telecom", &telecom, None).await.ok(200);
    let (telecom_now, _) = stored(&pool, "telecom").await;
    assert_eq!(telecom_now["vpn_server_token"], "a-brand-new-node-token-with-enough-entropy-123456");
    assert_ne!(telecom_now["vpn_server_token"], telecom_raw["vpn_server_token"]);
    let rows = audit_rows(&pool, "config.update").await;
    assert_eq!(rows[1].4, json!({ "vpn_server_token": SECRET_MASK }), "a secret change shows only the mask");

    // Another process (own caches, same Redis) sees the change within 5 s.
    let other = ConfigStore::new(helium_infra::db::Db::new(pool.clone()), h.state.redis.clone());
    assert_eq!(other.get(ConfigKind::Auth).await.unwrap().version, v2);
    doc["jwt"]["issuer"] = json!("https://issuer.third.example");
    let written = put_config(&h, &token, "auth", &doc, Some(&format!("\"{v2}\""))).await;
    let v3 = written.ok(200)["version"].as_i64().unwrap();
    let started = Instant::now();
    while other.get(ConfigKind::Auth).await.unwrap().version != v3 {
        assert!(started.elapsed() < Duration::from_secs(5), "another process did not see the change in 5 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Only SuperAdmins (staff JWT) manage configuration.
    let (_, moderator) = staff(&h, "moderator", "mod@example.com").await;
    get(&h, &moderator, "/api/v1/admin/config").await.expect(403, "permission_denied");
    get(&h, &moderator, "/api/v1/admin/config/auth").await.expect(403, "permission_denied");
    put_config(&h, &moderator, "auth", &doc, None).await.expect(403, "permission_denied");
    get(&h, "", "/api/v1/admin/config").await.expect(401, "unauthenticated");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn superadmin_without_totp_cannot_put_config(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let token = crate::support::staff::staff_without_mfa(&h, Role::SuperAdmin).await.token;
    let doc = get(&h, &token, "/api/v1/admin/config/shop").await.ok(200)["value"].clone();
    put_config(&h, &token, "shop", &doc, None).await.expect(403, "mfa_required");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn audit_listing_filters_and_paginates(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (admin_id, token) = staff(&h, "super_admin", "root@example.com").await;
    let someone = Uuid::now_v7();
    let mut conn = pool.acquire().await.unwrap();
    let keys = h.state.keys.clone();
    for i in 0..7 {
        let actor =
            if i % 2 == 0 { Actor { kind: ActorKind::Admin, id: Some(someone), ..Actor::cli() } } else { Actor::cli() };
        let action = if i < 5 { AuditAction::ConfigUpdate } else { AuditAction::CustomerBan };
        let change = Change::new(action, "thing", format!("t{}", i % 3))
            .before(json!({ "n": i }))
            .after(json!({ "n": i + 1 }))
            .reason("because");
        audit::append(&mut conn, &keys, &actor, change).await.unwrap();
    }
    drop(conn);
    let total = count(&pool, "SELECT count(*) FROM staff.audit_log").await;
    assert!(total >= 9, "7 rows plus admin.create and admin.setup: {total}");

    // Unfiltered: newest first, every field present.
    let all = get(&h, &token, "/api/v1/admin/audit?limit=100").await;
    let items = all.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len() as i64, total);
    assert!(all.body["next_cursor"].is_null());
    let newest = &items[0];
    assert_eq!(
        (&newest["action"], &newest["target"]),
        (&json!("customer.ban"), &json!({ "type": "thing", "id": "t0" }))
    );
    assert_eq!(newest["actor"], json!({ "type": "admin", "id": someone, "role": null }));
    assert_eq!(
        (&newest["before"], &newest["after"], &newest["reason"]),
        (&json!({ "n": 6 }), &json!({ "n": 7 }), &json!("because"))
    );
    for k in ["id", "at", "request_id", "ip", "user_agent"] {
        assert!(newest.get(k).is_some(), "{k} missing: {newest}");
    }
    let stamps: Vec<(chrono::DateTime<chrono::Utc>, Uuid)> =
        items.iter().map(|i| (s(&i["at"]).parse().unwrap(), s(&i["id"]).parse().unwrap())).collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "not newest first: {stamps:?}");
    let setup = items.iter().find(|i| i["action"] == "admin.setup").unwrap();
    assert_eq!(setup["actor"], json!({ "type": "admin", "id": admin_id, "role": "super_admin" }));

    // Filters combine; pages of 2 with the cursor cover the filtered set exactly once.
    let base = "/api/v1/admin/audit?action=config.update&target_type=thing&limit=2";
    let mut seen = Vec::new();
    let mut url = base.to_owned();
    loop {
        let page = get(&h, &token, &url).await;
        let body = page.ok(200).clone();
        let got = body["items"].as_array().unwrap();
        assert!(got.len() <= 2 && !got.is_empty());
        assert!(got.iter().all(|i| i["action"] == "config.update"));
        seen.extend(got.iter().map(|i| i["after"]["n"].as_i64().unwrap()));
        match body["next_cursor"].as_str() {
            Some(c) => url = format!("{base}&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, [5, 4, 3, 2, 1]);
    let first = get(&h, &token, base).await;
    let cursor = s(&first.body["next_cursor"]).to_owned();

    // The cursor is bound to its filters.
    get(&h, &token, &format!("/api/v1/admin/audit?action=customer.ban&target_type=thing&limit=2&cursor={cursor}"))
        .await
        .expect(400, "invalid_cursor");
    get(&h, &token, &format!("/api/v1/admin/audit?limit=2&cursor={cursor}")).await.expect(400, "invalid_cursor");
    get(&h, &token, "/api/v1/admin/audit?cursor=not-a-cursor").await.expect(400, "invalid_cursor");
    // Another page size keeps the cursor valid.
    get(&h, &token, &format!("/api/v1/admin/audit?action=config.update&target_type=thing&limit=5&cursor={cursor}"))
        .await
        .ok(200);

    let n = |body: &Value| body["items"].as_array().unwrap().len();
    let by_actor = get(&h, &token, &format!("/api/v1/admin/audit?actor_id={someone}")).await;
    assert_eq!(n(by_actor.ok(200)), 4);
    let by_target = get(&h, &token, "/api/v1/admin/audit?target_type=thing&target_id=t1").await;
    assert_eq!(n(by_target.ok(200)), 2);
    assert_eq!(n(get(&h, &token, "/api/v1/admin/audit?from=2999-01-01T00:00:00Z").await.ok(200)), 0);
    assert_eq!(n(get(&h, &token, "/api/v1/admin/audit?to=2000-01-01T00:00:00Z").await.ok(200)), 0);
    let window =
        get(&h, &token, "/api/v1/admin/audit?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z&limit=100").await;
    assert_eq!(n(window.ok(200)) as i64, total);
    assert_eq!(n(get(&h, &token, "/api/v1/admin/audit").await.ok(200)) as i64, total.min(20));

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("actor_id=nope", "actor_id"),
        ("from=yesterday", "from"),
    ] {
        let r = get(&h, &token, &format!("/api/v1/admin/audit?{query}")).await;
        r.expect(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], field, "{query}");
    }

    // AuditRead is SuperAdmin-only.
    let (_, support) = staff(&h, "customer_support", "cs@example.com").await;
    get(&h, &support, "/api/v1/admin/audit").await.expect(403, "permission_denied");
}
