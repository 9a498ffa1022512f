//! `Customer`: the extractor every customer route uses. It verifies the bearer access token
//! and the session behind it (revocation is immediate), and answers 401 otherwise.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use helium_domain::ErrorCode;
use helium_infra::auth::service::CustomerPrincipal;

use super::problem::ApiError;
use crate::state::AppState;

pub struct Customer(pub CustomerPrincipal);

pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = bearer(parts) else {
            return Err(ApiError::new(ErrorCode::Unauthenticated, "sign in to use this operation"));
        };
        let principal = state.auth.authenticate(token).await?;
        parts.extensions.insert(super::Principal(format!("customer:{}", principal.user_id)));
        Ok(Customer(principal))
    }
}

/// Client facts recorded on a session: user agent and address (behind trusted proxies, the
/// forwarded one).
pub struct Client(pub helium_infra::auth::service::ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| state.rate_limits.client_ip_from(c.0.ip(), &parts.headers));
        Ok(Client(helium_infra::auth::service::ClientInfo {
            device: parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
            ip: ip.map(|ip| ip.to_string()),
        }))
    }
}
