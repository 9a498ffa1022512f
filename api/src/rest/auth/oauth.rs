//! OAuth / OIDC sign-in and linking (tag `auth`).

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::auth::{CustomerPrincipal, LoginMethod as Method};
use helium_domain::text::Fields;

use super::dto::*;
use crate::http::customer::{Client, Customer, ReauthToken};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

/// The browser-binding cookie of an OAuth flow.
const BINDING_COOKIE: &str = "__Host-helium_oauth";

/// The signed-in customer when the request carries a bearer token; a bad token is refused.
pub struct MaybeCustomer(pub Option<CustomerPrincipal>);

impl FromRequestParts<AppState> for MaybeCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(MaybeCustomer(None));
        }
        let Customer(me) = Customer::from_request_parts(parts, state).await?;
        Ok(MaybeCustomer(Some(me)))
    }
}

/// The binding of the callback: from the body, else from the browser's cookie.
fn binding(req: &OauthCallbackRequest, headers: &HeaderMap) -> Option<String> {
    req.binding.clone().or_else(|| {
        headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
            |c| {
                let (k, v) = c.trim().split_once('=')?;
                (k == BINDING_COOKIE).then(|| v.to_owned())
            },
        )
    })
}

/// `code`, `state` and `binding` shaped (lengths, no control characters).
fn callback_fields(
    req: &OauthCallbackRequest,
    headers: &HeaderMap,
) -> Result<(String, String, Option<String>), ApiError> {
    let mut f = Fields::new();
    let code = f.secret("code", &req.code, 1, 2048);
    let state = f.secret("state", &req.state, 1, 256);
    let binding = binding(req, headers).map(|b| f.secret("binding", &b, 1, 256));
    Ok(f.finish((code, state, binding))?)
}

#[utoipa::path(
    get, path = "/api/v1/auth/oauth/{provider}/authorize", operation_id = "getOauthAuthorizationUrl", tag = "auth",
    summary = "Start an OAuth / OIDC sign-in (or, signed in, a link)",
    description = "Returns the provider URL with state, PKCE (S256) and, for OIDC, a nonce; the verifier and nonce stay on the server. The flow is bound to the client that starts it: keep `binding` (an app in memory, a web page in sessionStorage — browsers also get it as the `__Host-helium_oauth` cookie) and send it with the callback; a callback without it is refused (login CSRF). Called with a customer bearer token, the state is bound to that customer and only `linkOauthMethod` accepts it; without one, only `completeOauthLogin`.",
    security((), ("customerBearer" = [])),
    params(("provider" = String, Path, description = "Configured provider name, e.g. google"), AuthorizeQuery),
    responses(
        (status = 200, description = "Where to send the browser", body = AuthorizationUrl),
        (status = 404, description = "oauth_provider_unknown", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "redirect_uri_not_allowed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get_oauth_authorization_url(
    State(state): State<AppState>,
    MaybeCustomer(me): MaybeCustomer,
    Path(provider): Path<String>,
    Query(q): Query<AuthorizeQuery>,
) -> Result<Response, ApiError> {
    let start = state.auth.oauth.authorization_url(&provider, q.redirect_uri.as_deref(), me.map(|m| m.user_id)).await?;
    let cookie = format!("{BINDING_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600", start.binding);
    let mut res =
        Json(AuthorizationUrl { authorization_url: start.authorization_url, binding: start.binding }).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[utoipa::path(
    post, path = "/api/v1/auth/oauth/{provider}/callback", operation_id = "completeOauthLogin", tag = "auth",
    summary = "Finish an OAuth / OIDC sign-in",
    description = "A new provider account creates a Helium account (the provider must share a verified e-mail). If that e-mail already has an account, nothing is linked: 409 account_exists_link_required — sign in and link from the account.",
    security(()),
    params(("provider" = String, Path, description = "Configured provider name")),
    request_body = OauthCallbackRequest,
    responses(
        (status = 200, description = "Signed in, or an MFA challenge", body = LoginResult),
        (status = 400, description = "oauth_state_invalid (wrong, expired, reused or foreign state; missing or wrong binding)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "oauth_exchange_failed (code, PKCE or ID token refused)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "oauth_provider_unknown", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "account_exists_link_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed, oauth_email_required", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn complete_oauth_login(
    State(state): State<AppState>,
    Client(client): Client,
    Path(provider): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<OauthCallbackRequest>,
) -> Result<Json<LoginResult>, ApiError> {
    let (code, oauth_state, binding) = callback_fields(&req, &headers)?;
    let outcome = state.auth.oauth.login(&provider, &code, &oauth_state, binding.as_deref(), &client).await?;
    Ok(Json(outcome.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/methods/oauth/{provider}", operation_id = "linkOauthMethod", tag = "auth",
    summary = "Link a provider account to mine",
    description = "`code` and `state` come from a flow started by `getOauthAuthorizationUrl` with this customer's bearer token. Needs a recent re-authentication (`X-Reauth-Token` from `reauthenticate`); the account's owner is e-mailed.",
    security(("customerBearer" = [])),
    params(
        ("provider" = String, Path, description = "Configured provider name"),
        ("X-Reauth-Token" = String, Header, description = "Proof of recent re-authentication (`reauthenticate`)"),
    ),
    request_body = OauthCallbackRequest,
    responses(
        (status = 201, description = "Linked", body = LoginMethod),
        (status = 400, description = "oauth_state_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "oauth_exchange_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "oauth_provider_unknown", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "oauth_identity_in_use", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn link_oauth_method(
    State(state): State<AppState>,
    Customer(me): Customer,
    ReauthToken(proof): ReauthToken,
    Path(provider): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<OauthCallbackRequest>,
) -> Result<(StatusCode, Json<LoginMethod>), ApiError> {
    let (code, oauth_state, binding) = callback_fields(&req, &headers)?;
    let row = state.auth.oauth.link(me, proof.as_deref(), &provider, &code, &oauth_state, binding.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(Method::Oauth(row).into())))
}
