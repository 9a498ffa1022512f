//! `Customer`: the extractor every customer route uses. It verifies the bearer access token
//! and the session behind it (revocation is immediate), and answers 401 otherwise.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use helium_domain::ClientInfo;
use helium_domain::ErrorCode;
use helium_domain::auth::CustomerPrincipal;

use super::problem::ApiError;
use crate::state::AppState;

pub struct Customer(pub CustomerPrincipal);

/// The token of an `Authorization: Bearer <token>` value (HTTP header or gRPC metadata).
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    bearer_token(headers.get(header::AUTHORIZATION)?.to_str().ok()?)
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<CustomerPrincipal>() {
            return Ok(Customer(*principal));
        }
        let Some(token) = bearer(&parts.headers) else {
            return Err(ApiError::new(ErrorCode::Unauthenticated, "sign in to use this operation"));
        };
        let principal = state.auth.sessions.authenticate(token).await?;
        parts.extensions.insert(super::Principal(format!("customer:{}", principal.user_id)));
        Ok(Customer(principal))
    }
}

/// Client facts recorded on a session: user agent and address (behind trusted proxies, the
/// forwarded one).
pub struct Client(pub ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| state.rate_limits.client_ip_from(c.0.ip(), &parts.headers));
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
        Ok(Client(ClientInfo::new(user_agent, ip.map(|ip| ip.to_string()))))
    }
}

/// Global middleware: a request carrying a valid customer bearer token is identified before
/// route layers run, so rate limits and idempotency records are scoped per customer (not per
/// IP). Invalid tokens are left for the `Customer` extractor to reject.
pub async fn identify(mut req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let token = bearer(req.headers()).map(str::to_owned);
    if let (Some(token), Some(state)) = (token, req.extensions().get::<AppState>().cloned())
        && let Ok(principal) = state.auth.sessions.authenticate(&token).await
    {
        req.extensions_mut().insert(super::Principal(format!("customer:{}", principal.user_id)));
        req.extensions_mut().insert(principal);
    }
    next.run(req).await
}

/// The customer when a valid bearer token came with the request, else nobody (public
/// routes that show more to customers, e.g. the product list).
pub struct OptionalCustomer(pub Option<CustomerPrincipal>);

impl<S: Send + Sync> FromRequestParts<S> for OptionalCustomer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(OptionalCustomer(parts.extensions.get::<CustomerPrincipal>().copied()))
    }
}

/// `X-Reauth-Token`: the proof of a recent re-authentication a sensitive change needs.
pub struct ReauthToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ReauthToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let token = parts.headers.get("x-reauth-token").and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned());
        Ok(ReauthToken(token.filter(|t| !t.is_empty() && t.len() <= 4096)))
    }
}
