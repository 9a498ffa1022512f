//! `x-request-id`: propagated when the caller sends a sane one, generated otherwise; kept in
//! request extensions, echoed on the response and recorded on the request's tracing span.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accept only short printable ids so a caller cannot inject into logs.
pub fn acceptable(v: &str) -> bool {
    !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Subscription tokens travel in the path; never write them to logs.
fn redact_path(path: &str) -> String {
    match path.strip_prefix("/subscribe/") {
        Some(_) => "/subscribe/***".to_owned(),
        None => path.to_owned(),
    }
}

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let path = redact_path(req.uri().path());
    // OpenTelemetry: a server span named by the route template (never the raw path).
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = req.method().clone();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        path = %path,
        otel.name = %format!("{method} {route}"),
        otel.kind = "server",
        http.request.method = %method,
        http.route = %route,
        http.response.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    if let Some(parent) = req.headers().get(helium_infra::trace::TRACEPARENT).and_then(|v| v.to_str().ok()) {
        helium_infra::trace::adopt_parent(&span, helium_infra::trace::context_from_traceparent(parent));
    }
    let started = std::time::Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status().as_u16();
    span.record("http.response.status_code", i64::from(status));
    if status >= 500 {
        span.record("otel.status_code", "ERROR");
    }
    span.in_scope(|| {
        tracing::info!(status, elapsed_ms = started.elapsed().as_millis() as u64, "request finished");
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID.clone(), v);
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn rejects_injection() {
        assert!(super::acceptable("abc-123"));
        assert!(!super::acceptable("a b"));
        assert!(!super::acceptable("x\ny"));
        assert!(!super::acceptable(&"a".repeat(129)));
        assert_eq!(super::redact_path("/subscribe/secret"), "/subscribe/***");
    }
}
