//! The embedded staff web app at `/admin/` (app shell for client routes, long-cached hashed
//! assets, security headers, precompressed twins) and the dashboard statistics it reads.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use helium_api::mode::WorkMode;
use helium_domain::admin::Role;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::harness;
use crate::support::staff::{staff, staff_without_mfa};

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

async fn get(app: &axum::Router, path: &str, extra: &[(header::HeaderName, &str)]) -> Page {
    let mut b = Request::builder().method(Method::GET).uri(path);
    for (k, v) in extra {
        b = b.header(k, *v);
    }
    let res = app.clone().oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    Page { status: parts.status, headers: parts.headers, body: body.collect().await.unwrap().to_bytes().to_vec() }
}

fn h<'a>(p: &'a Page, name: &str) -> &'a str {
    p.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn assert_hardened(p: &Page, what: &str) {
    let csp = h(p, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'") && !csp.contains("unsafe-eval"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(h(p, "x-frame-options"), "DENY", "{what}");
    assert_eq!(h(p, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(h(p, "referrer-policy"), "no-referrer", "{what}");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_app_shell_answers_client_routes_and_assets_are_cached_for_good(pool: PgPool) {
    let app = harness(pool).await.app;

    let bare = get(&app, "/admin", &[]).await;
    assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(h(&bare, "location"), "/admin/");

    let shell = get(&app, "/admin/", &[]).await;
    assert_eq!(shell.status, StatusCode::OK);
    assert_eq!(h(&shell, "content-type"), "text/html; charset=utf-8");
    assert_eq!(h(&shell, "cache-control"), "no-cache");
    assert_hardened(&shell, "index");
    let html = String::from_utf8(shell.body.clone()).unwrap();
    assert!(!html.contains("<script>"), "no inline script");

    // Client routes (with query strings, as the setup and invitation links are) get the shell.
    for route in ["/admin/setup?token=abc", "/admin/invitations/accept?token=abc", "/admin/customers/42"] {
        let p = get(&app, route, &[]).await;
        assert_eq!(p.status, StatusCode::OK, "{route}");
        assert_eq!(p.body, shell.body, "{route}");
        assert_hardened(&p, route);
    }

    // The shell revalidates cheaply.
    let etag = h(&shell, "etag").to_owned();
    assert!(!etag.is_empty());
    let again = get(&app, "/admin/", &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());

    // Every script and stylesheet the shell names: immutable, right type, compressed on request.
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("/admin/assets/") && (s.ends_with(".js") || s.ends_with(".css")))
        .collect();
    assert!(!assets.is_empty(), "the shell references its assets: {html}");
    for asset in assets {
        let plain = get(&app, asset, &[]).await;
        assert_eq!(plain.status, StatusCode::OK, "{asset}");
        assert_eq!(h(&plain, "cache-control"), "public, max-age=31536000, immutable", "{asset}");
        let want = if asset.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(h(&plain, "content-type").starts_with(want), "{asset}");
        assert_hardened(&plain, asset);
        let zipped = get(&app, asset, &[(header::ACCEPT_ENCODING, "gzip, br")]).await;
        assert_eq!(h(&zipped, "content-encoding"), "br", "{asset}");
        assert!(zipped.body.len() < plain.body.len(), "{asset}");
    }

    // A missing asset is a 404, never the shell (a browser would try to run it).
    let missing = get(&app, "/admin/assets/nope-123.js", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_ne!(missing.body, shell.body);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn only_the_rest_modes_serve_the_app(pool: PgPool) {
    let h = harness(pool).await;
    let all = helium_api::app::build(WorkMode::All, h.state.clone());
    assert_eq!(get(&all, "/admin/", &[]).await.status, StatusCode::OK);
    let subscribe = helium_api::app::build(WorkMode::SubscribeApi, h.state.clone());
    assert_eq!(get(&subscribe, "/admin/", &[]).await.status, StatusCode::NOT_FOUND);
}

async fn add_customer(pool: &PgPool, email: &str, status: &str, days_ago: i32) {
    sqlx::query(
        "INSERT INTO auth.users (id, email, status, created_at) VALUES ($1, $2, $3, now() - make_interval(days => $4))",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(email)
    .bind(status)
    .bind(days_ago)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn dashboard_stats_count_in_sql_and_are_cached_briefly(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let boss = staff(&h, Role::SuperAdmin).await;
    for i in 0..3 {
        add_customer(&pool, &format!("c{i}@example.test"), if i == 2 { "banned" } else { "active" }, i).await;
    }
    let stats = |q: &'static str| {
        let h = h.clone();
        let token = boss.token.clone();
        async move { h.authed(Method::GET, &format!("/api/v1/admin/stats/dashboard{q}"), &token, None).await }
    };
    let r = stats("?days=3&tz=UTC").await;
    let body: &Value = r.ok(200);
    assert_eq!((body["days"].as_i64(), body["tz"].as_str()), (Some(3), Some("UTC")));
    let c = &body["customers"];
    assert_eq!(c["total"], 3);
    assert_eq!(c["banned"], 1);
    let counts: Vec<i64> = c["new_per_day"].as_array().unwrap().iter().map(|d| d["count"].as_i64().unwrap()).collect();
    assert_eq!(counts, vec![1, 1, 1], "one sign-up on each of the last three days");
    assert_eq!(c["active_per_day"].as_array().unwrap().len(), 3);
    assert_eq!(body["staff"]["total"], 1);
    assert_eq!(body["staff"]["active"], 1);
    assert_eq!(body["staff"]["mfa_enabled"], 1, "the SuperAdmin enrolled TOTP");

    // A fourth customer is not seen by the same request within the cache lifetime…
    add_customer(&pool, "c9@example.test", "active", 0).await;
    assert_eq!(stats("?days=3&tz=UTC").await.ok(200)["customers"]["total"], 3);
    // …but another range is counted afresh, and so is another zone.
    assert_eq!(stats("?days=4&tz=UTC").await.ok(200)["customers"]["total"], 4);
    let shanghai = stats("?days=4&tz=Asia/Shanghai").await;
    assert_eq!(shanghai.ok(200)["customers"]["new_per_day"].as_array().unwrap().len(), 4);

    // Defaults: 30 days in UTC.
    let defaults = stats("").await;
    assert_eq!((defaults.ok(200)["days"].as_i64(), defaults.body["tz"].as_str()), (Some(30), Some("UTC")));

    stats("?days=0").await.expect(422, "validation_failed");
    stats("?days=91").await.expect(422, "validation_failed");
    stats("?days=abc").await.expect(422, "validation_failed");
    stats("?tz=Asia/Shanghai%27;--").await.expect(422, "validation_failed");
    let unknown = stats("?tz=Nowhere/Atlantis").await;
    unknown.expect(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["field"], "tz", "{}", unknown.body);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn dashboard_sections_follow_the_callers_permissions(pool: PgPool) {
    let h = harness(pool.clone()).await;
    h.authed(Method::GET, "/api/v1/admin/stats/dashboard", "not-a-token", None).await.expect(401, "unauthenticated");

    // Reading needs no TOTP; a CustomerSupport sees customers but not staff.
    let support = staff_without_mfa(&h, Role::CustomerSupport).await;
    let r = h.authed(Method::GET, "/api/v1/admin/stats/dashboard?days=7", &support.token, None).await;
    let body = r.ok(200);
    assert!(body["customers"].is_object(), "{body}");
    assert!(body["staff"].is_null(), "{body}");

    // An API key narrowed to orders.read may not read the dashboard at all.
    let boss = staff(&h, Role::SuperAdmin).await;
    let created = h
        .authed(
            Method::POST,
            "/api/v1/admin/api-keys",
            &boss.token,
            Some(json!({ "name": "orders bot", "role": "support_bot", "permissions": ["orders.read"] })),
        )
        .await;
    let key = created.ok(201)["key"].as_str().unwrap().to_owned();
    h.authed(Method::GET, "/api/v1/admin/stats/dashboard", &key, None).await.expect(403, "permission_denied");

    // The SuperAdmin's answer (both sections) is cached apart from the CustomerSupport's.
    let full = h.authed(Method::GET, "/api/v1/admin/stats/dashboard?days=7", &boss.token, None).await;
    assert!(full.ok(200)["staff"].is_object(), "{}", full.body);
    assert_eq!(full.body["staff"]["total"], 2);
}
