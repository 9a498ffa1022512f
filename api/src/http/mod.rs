//! HTTP plumbing shared by every listener: problem+json errors, request ids, body limits,
//! panics, metrics, security headers. The routers themselves are assembled in `crate::app`.

pub mod admin_spa;
pub mod customer;
pub mod idempotency;
pub mod json;
pub mod params;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod security_headers;
pub mod staff;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use tower_http::catch_panic::CatchPanicLayer;

use crate::state::AppState;

/// The authenticated caller's stable id (customer, admin or API key), set by the auth
/// layers; idempotency records and rate-limit counters are scoped by it.
#[derive(Debug, Clone)]
pub struct Principal(pub String);

/// Request bodies above this are refused with 413 before any handler runs.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Wraps a router with the shared layers. Order (outermost first): request id → problem
/// rendering → panic catcher → body limit → metrics → routes.
pub fn with_layers(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(problem::not_found_fallback)
        .method_not_allowed_fallback(problem::method_not_allowed_fallback)
        .layer(from_fn(customer::identify))
        .layer(from_fn(crate::metrics::track_http))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(problem::panic_response))
        .layer(from_fn(problem::render_problems))
        .layer(from_fn(request_id::request_id))
        .layer(from_fn(security_headers::security_headers))
        .layer(axum::Extension(state.clone()))
        .with_state(state)
}
