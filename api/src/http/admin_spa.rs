//! The staff web app (web-admin/), embedded in the binary and served at `/admin/` by the
//! `api` and `all` modes.
//!
//! - `/admin/assets/…` are content-hashed by the build: cached for a year, `immutable`; a
//!   missing asset is a 404 (never the app shell, which a browser would run as a script).
//! - Any other path under `/admin/` is a client-side route: the app shell (`index.html`) with
//!   `Cache-Control: no-cache` and an `ETag`, so a new deployment is picked up at once.
//! - Every answer carries a strict Content-Security-Policy (scripts only from this origin, no
//!   inline script), `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and
//!   `Referrer-Policy: no-referrer` (setup and invitation links carry their token in the URL).
//! - The build writes a `.br` twin of each text file; it is sent when the client accepts
//!   brotli (a `.gz` twin would be used the same way if the build wrote one).
//!
//! The build (`web-admin/dist/`) is committed, so `helium` builds without Node; see
//! web-admin/README.md.

use std::borrow::Cow;

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::http::problem::ApiError;
use crate::state::AppState;

#[derive(rust_embed::RustEmbed)]
#[folder = "../web-admin/dist/"]
struct Build;

/// Where the app is mounted (Vite `base` and the router's `basename` say the same).
pub const MOUNT: &str = "/admin";

/// Scripts and styles only from this origin; no inline script, no eval. Inline `style`
/// attributes are allowed because the component library sets CSS variables through them
/// (`style-src 'unsafe-inline'` cannot run code). `data:` images are the QR code and icons.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; object-src 'none'";

const INDEX: &str = "index.html";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/admin` → `/admin/`, and the app under `/admin/`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(MOUNT, get(redirect_to_root))
        .route("/admin/", get(shell))
        .route("/admin/{*path}", get(file_or_shell))
}

async fn redirect_to_root(req: Request) -> Redirect {
    match req.uri().query() {
        Some(q) => Redirect::permanent(&format!("{MOUNT}/?{q}")),
        None => Redirect::permanent(&format!("{MOUNT}/")),
    }
}

async fn shell(headers: HeaderMap) -> Response {
    serve(INDEX, &headers)
}

async fn file_or_shell(Path(path): Path<String>, headers: HeaderMap) -> Response {
    if path.starts_with("assets/") || (path != INDEX && Build::get(&path).is_some()) {
        return serve(&path, &headers);
    }
    serve(INDEX, &headers)
}

/// The content type of a built file, from its extension.
fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The best encoding the client accepts among the twins the build wrote: `(suffix, name)`.
fn pick_encoding(path: &str, headers: &HeaderMap) -> Option<(&'static str, &'static str)> {
    let accepted = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let accepts = |name: &str| {
        accepted.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or_default().trim();
            let refused =
                it.any(|p| matches!(p.trim().replace(' ', "").as_str(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    [(".br", "br"), (".gz", "gzip")]
        .into_iter()
        .find(|(suffix, name)| accepts(name) && Build::get(&format!("{path}{suffix}")).is_some())
}

fn security_headers(h: &mut HeaderMap) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Build::get(path) else {
        let mut res = ApiError::not_found().into_response();
        security_headers(res.headers_mut());
        return res;
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if path.starts_with("assets/") { IMMUTABLE } else { "no-cache" };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));

    let (status, body, encoding): (StatusCode, Cow<'static, [u8]>, Option<&str>) = if fresh {
        (StatusCode::NOT_MODIFIED, Cow::Borrowed(&[]), None)
    } else {
        match pick_encoding(path, headers)
            .and_then(|(suffix, name)| Build::get(&format!("{path}{suffix}")).map(|twin| (twin.data, name)))
        {
            Some((data, name)) => (StatusCode::OK, data, Some(name)),
            None => (StatusCode::OK, file.data, None),
        }
    };

    let mut res = (status, body.into_owned()).into_response();
    let h = res.headers_mut();
    if status == StatusCode::OK {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    }
    if let Some(name) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    security_headers(h);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("assets/index-abc.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("favicon.SVG"), "image/svg+xml");
        assert_eq!(content_type("x"), "application/octet-stream");
    }

    #[test]
    fn the_build_has_an_app_shell() {
        let index = Build::get(INDEX).expect("web-admin/dist/index.html is committed");
        let text = String::from_utf8_lossy(&index.data);
        assert!(text.contains("/admin/assets/"), "assets are referenced under /admin/");
        assert!(!text.contains("<script>"), "no inline script (CSP)");
    }

    #[test]
    fn encodings_follow_accept_encoding() {
        assert_eq!(pick_encoding(INDEX, &accept("gzip, deflate, br")).map(|e| e.1), Some("br"));
        assert_eq!(pick_encoding(INDEX, &accept("BR;q=0.5")).map(|e| e.1), Some("br"));
        assert_eq!(pick_encoding(INDEX, &accept("br;q=0, gzip")), None);
        assert_eq!(pick_encoding(INDEX, &accept("identity")), None);
        assert_eq!(pick_encoding(INDEX, &HeaderMap::new()), None);
    }
}
