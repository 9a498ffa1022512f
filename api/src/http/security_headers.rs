//! Response headers every answer carries (SECURITY.md): `X-Content-Type-Options: nosniff`
//! everywhere; `Cache-Control: no-store` on every API answer that did not choose its own
//! caching (tokens, secrets, TOTP seeds, recovery codes and API keys travel in them); and on
//! the browser pages (`/docs`, `/admin`) a Content-Security-Policy and `X-Frame-Options: DENY`.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Swagger UI and the admin SPA load only their own scripts; styles may be inline (both
/// libraries set style attributes); nothing may frame them.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
                        base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn is_page(path: &str) -> bool {
    ["/docs", "/admin"].iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if path.starts_with("/api/") || path == "/openapi.json" {
        headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }
    if is_page(&path) {
        headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(PAGE_CSP));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("no-referrer"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::is_page;

    #[test]
    fn pages_are_the_docs_and_the_admin_app_only() {
        for p in ["/docs", "/docs/", "/docs/index.html", "/admin", "/admin/customers"] {
            assert!(is_page(p), "{p}");
        }
        for p in ["/documents", "/administrator", "/api/v1/admin/me", "/"] {
            assert!(!is_page(p), "{p}");
        }
    }
}
