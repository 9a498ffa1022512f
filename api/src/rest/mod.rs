//! REST handlers, one module per domain. Routes are declared once with `routes!`, which
//! registers them in both the axum router and the OpenAPI document.

pub mod admin;
pub mod auth;
pub mod auth_dto;
pub mod auth_mfa;
pub mod auth_oauth;
pub mod auth_recovery;
pub mod meta;

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
        .routes(limited(routes!(auth::register), RouteClass::Auth))
        .routes(limited(routes!(auth::complete_registration), RouteClass::Auth))
        .routes(limited(routes!(auth::login), RouteClass::Auth))
        .routes(limited(routes!(auth::refresh_token), RouteClass::Auth))
        .routes(limited(routes!(auth::list_sessions), RouteClass::Read))
        .routes(limited(routes!(auth::revoke_session), RouteClass::Write))
        .routes(limited(routes!(auth::logout), RouteClass::Write))
        .routes(limited(routes!(auth::logout_all), RouteClass::Write))
        .routes(limited(routes!(auth::get_me), RouteClass::Read))
        .routes(limited(routes!(auth::update_me), RouteClass::Write))
        .routes(limited(routes!(auth_recovery::forgot_password), RouteClass::Auth))
        .routes(limited(routes!(auth_recovery::reset_password), RouteClass::Auth))
        .routes(limited(routes!(auth_recovery::change_password), RouteClass::Auth))
        .routes(limited(routes!(auth_recovery::request_email_code), RouteClass::Auth))
        .routes(limited(routes!(auth_recovery::verify_email_code), RouteClass::Auth))
        .routes(limited(routes!(auth_mfa::login_mfa), RouteClass::Auth))
        .routes(limited(routes!(auth_mfa::setup_totp), RouteClass::Auth))
        .routes(limited(routes!(auth_mfa::enable_totp), RouteClass::Auth))
        .routes(limited(routes!(auth_mfa::disable_totp), RouteClass::Auth))
        .routes(limited(routes!(auth_mfa::regenerate_recovery_codes), RouteClass::Auth))
        .routes(limited(routes!(auth_oauth::get_oauth_authorization_url), RouteClass::Auth))
        .routes(limited(routes!(auth_oauth::complete_oauth_login), RouteClass::Auth))
        .routes(limited(routes!(auth_oauth::list_login_methods), RouteClass::Read))
        .routes(limited(routes!(auth_oauth::link_oauth_method), RouteClass::Auth))
        .routes(with_password_removal(limited(routes!(auth_oauth::set_password), RouteClass::Auth)))
        .routes(limited(routes!(auth_oauth::remove_login_method), RouteClass::Write))
        .merge(admin::routes())
}

/// `DELETE /api/v1/auth/methods/password` (documented as `removeLoginMethod` with id
/// `password`) lives on `setPassword`'s static path, which shadows `{id}`.
fn with_password_removal(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = r;
    let delete = axum::routing::delete(auth_oauth::remove_password_method)
        .layer(from_fn(|req, next| rate_limit::limit(RouteClass::Write, req, next)));
    (schemas, paths, method_router.merge(delete))
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

/// Marks a POST route as requiring `Idempotency-Key`.
pub fn idempotent(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = r;
    (schemas, paths, method_router.layer(from_fn(idempotency::require_idempotency_key)))
}

/// A configuration problem is the operator's, not the caller's: log it, answer 503.
pub fn config_error(e: ConfigStoreError) -> ApiError {
    tracing::error!(error = %e, "module configuration unavailable");
    ApiError::unavailable(5)
}
