//! REST handlers, one module per domain. Routes are declared once with `routes!`, which
//! registers them in both the axum router and the OpenAPI document.

pub mod admin;
pub mod auth;
pub mod market;
pub mod meta;
pub mod notify;
pub mod shop;
pub mod support;
pub mod telecom;
pub mod wallet;
pub mod webhooks;

use axum::middleware::from_fn;
use helium_infra::config_store::ConfigStoreError;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::http::idempotency;
use crate::http::problem::ApiError;
use crate::http::rate_limit::{self, RouteClass};
use crate::state::AppState;

/// Customer and admin REST routes served by the `api` mode. Each route names its
/// rate-limit class where it is declared.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(limited(routes!(meta::get_meta), RouteClass::PublicRead))
        .merge(auth::routes())
        .merge(shop::routes())
        .merge(wallet::routes())
        .merge(telecom::customer_routes())
        .merge(market::routes())
        .merge(notify::routes())
        .merge(support::routes())
        .merge(admin::routes())
}

/// Request bodies of sign-in and other auth routes are small; larger ones are refused (413)
/// before any parsing or hashing (SECURITY.md §1.9).
pub const AUTH_MAX_BODY_BYTES: usize = 16 * 1024;

/// Attaches a rate-limit class to a route declaration (auth routes also get the small body cap).
pub fn limited(r: UtoipaMethodRouter<AppState>, class: RouteClass) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, mut method_router) = r;
    if class == RouteClass::Auth {
        method_router = method_router.layer(axum::extract::DefaultBodyLimit::max(AUTH_MAX_BODY_BYTES));
    }
    (schemas, paths, method_router.layer(from_fn(move |req, next| rate_limit::limit(class, req, next))))
}

/// Marks a POST route as requiring `Idempotency-Key`, in the router and in the spec (the
/// header parameter and the statuses the layer adds).
pub fn idempotent(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, mut paths, method_router) = r;
    for item in paths.paths.values_mut() {
        for op in [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
            crate::openapi::declare_idempotency_key(op);
        }
    }
    (schemas, paths, method_router.layer(from_fn(idempotency::require_idempotency_key)))
}

/// A configuration problem is the operator's, not the caller's: log it, answer 503.
pub fn config_error(e: ConfigStoreError) -> ApiError {
    tracing::error!(error = %e, "module configuration unavailable");
    ApiError::unavailable(5)
}
