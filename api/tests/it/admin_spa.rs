//! The embedded staff web app at `/admin/` (app shell for client routes, long-cached hashed
//! assets, security headers, precompressed twins).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use helium_api::mode::WorkMode;
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::harness;

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
