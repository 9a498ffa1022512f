//! Customer identity routes (tag `auth`), one file per group of operations.

pub mod dto;
pub mod email_change;
pub mod methods;
pub mod mfa;
pub mod oauth;
pub mod profile;
pub mod reauth;
pub mod recovery;
pub mod registration;
pub mod sessions;
pub mod sign_in;

use axum::middleware::from_fn;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::limited;
use crate::http::rate_limit::{self, RouteClass};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use RouteClass::{Auth, Read, Write};
    OpenApiRouter::new()
        .routes(limited(routes!(registration::register), Auth))
        .routes(limited(routes!(registration::complete_registration), Auth))
        .routes(limited(routes!(sign_in::login), Auth))
        .routes(limited(routes!(sign_in::refresh_token), Auth))
        .routes(limited(routes!(sign_in::login_mfa), Auth))
        .routes(limited(routes!(sign_in::request_email_code), Auth))
        .routes(limited(routes!(sign_in::verify_email_code), Auth))
        .routes(limited(routes!(sessions::list_sessions), Read))
        .routes(limited(routes!(sessions::revoke_session), Write))
        .routes(limited(routes!(sessions::logout), Write))
        .routes(limited(routes!(sessions::logout_all), Write))
        .routes(limited(routes!(profile::get_me), Read))
        .routes(limited(routes!(profile::update_me), Write))
        .routes(limited(routes!(email_change::request_email_change), Auth))
        .routes(limited(routes!(email_change::confirm_email_change), Auth))
        .routes(limited(routes!(recovery::forgot_password), Auth))
        .routes(limited(routes!(recovery::reset_password), Auth))
        .routes(limited(routes!(recovery::change_password), Auth))
        .routes(limited(routes!(mfa::setup_totp), Auth))
        .routes(limited(routes!(mfa::enable_totp), Auth))
        .routes(limited(routes!(mfa::disable_totp), Auth))
        .routes(limited(routes!(mfa::regenerate_recovery_codes), Auth))
        .routes(limited(routes!(reauth::reauthenticate), Auth))
        .routes(limited(routes!(reauth::send_reauth_code), Auth))
        .routes(limited(routes!(oauth::get_oauth_authorization_url), Auth))
        .routes(limited(routes!(oauth::complete_oauth_login), Auth))
        .routes(limited(routes!(methods::list_login_methods), Read))
        .routes(limited(routes!(oauth::link_oauth_method), Auth))
        .routes(with_password_removal(limited(routes!(methods::set_password), Auth)))
        .routes(limited(routes!(methods::remove_login_method), Auth))
}

/// `DELETE /api/v1/auth/methods/password` (documented as `removeLoginMethod` with id
/// `password`) lives on `setPassword`'s static path, which shadows `{id}`.
fn with_password_removal(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = r;
    let delete = axum::routing::delete(methods::remove_password_method)
        .layer(from_fn(|req, next| rate_limit::limit(RouteClass::Auth, req, next)));
    (schemas, paths, method_router.merge(delete))
}
