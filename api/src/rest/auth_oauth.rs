//! OAuth / OIDC sign-in and login-method routes (tag `auth`).

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use helium_domain::ErrorCode;
use helium_infra::auth::methods::{EMAIL_CODE_METHOD, LoginMethod as ServiceMethod, PASSWORD_METHOD};
use helium_infra::auth::service::CustomerPrincipal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::auth_dto::LoginResult;
use crate::http::customer::{Client, Customer};
use crate::http::json::ValidatedJson;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// Where the provider sends the browser back; must be in the provider's allow list.
    /// The provider's configured `redirect_uri` when absent.
    pub redirect_uri: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorizationUrl {
    /// Send the browser here. Valid for the configured `challenge_expiration`, once.
    pub authorization_url: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OauthCallbackRequest {
    /// `code` from the provider's redirect.
    #[validate(length(min = 1, max = 2048, code = "required"))]
    pub code: String,
    /// `state` from the provider's redirect.
    #[validate(length(min = 1, max = 256, code = "required"))]
    pub state: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    #[validate(length(max = 1024, code = "too_long"))]
    pub new_password: String,
}

/// One way to sign in.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginMethod {
    /// `password`, `email_code`, or the linked identity's id.
    pub id: String,
    /// `password`, `email_code` or `oauth`.
    pub kind: String,
    /// The provider of an `oauth` method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The provider account's verified e-mail, when it shared one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl LoginMethod {
    fn simple(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind: id.to_owned(),
            provider: None,
            email: None,
            created_at: None,
            last_used_at: None,
        }
    }
}

impl From<ServiceMethod> for LoginMethod {
    fn from(m: ServiceMethod) -> Self {
        match m {
            ServiceMethod::Password => Self::simple(PASSWORD_METHOD),
            ServiceMethod::EmailCode => Self::simple(EMAIL_CODE_METHOD),
            ServiceMethod::Oauth(i) => Self {
                id: i.id.to_string(),
                kind: "oauth".to_owned(),
                provider: Some(i.provider),
                email: i.email,
                created_at: Some(i.created_at),
                last_used_at: i.last_used_at,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginMethodPage {
    pub items: Vec<LoginMethod>,
    /// Always null: an account has few methods.
    pub next_cursor: Option<String>,
}

/// The signed-in customer when the request carries a bearer token; a bad token is refused.
pub struct MaybeCustomer(pub Option<CustomerPrincipal>);

impl FromRequestParts<AppState> for MaybeCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(axum::http::header::AUTHORIZATION) {
            return Ok(MaybeCustomer(None));
        }
        let Customer(me) = Customer::from_request_parts(parts, state).await?;
        Ok(MaybeCustomer(Some(me)))
    }
}

#[utoipa::path(
    get, path = "/api/v1/auth/oauth/{provider}/authorize", operation_id = "getOauthAuthorizationUrl", tag = "auth",
    summary = "Start an OAuth / OIDC sign-in (or, signed in, a link)",
    description = "Returns the provider URL with state, PKCE (S256) and, for OIDC, a nonce; the verifier and nonce stay on the server. Called with a customer bearer token, the state is bound to that customer and only `linkOauthMethod` accepts it; without one, only `completeOauthLogin`. Clients keep the `state` of the URL they open (e.g. in sessionStorage) and post a callback only when the redirect brings back the same one: that ties the flow to the browser that started it.",
    security((), ("customerBearer" = [])),
    params(("provider" = String, Path, description = "Configured provider name, e.g. google"), AuthorizeQuery),
    responses(
        (status = 200, description = "Where to send the browser", body = AuthorizationUrl),
        (status = 401, description = "unauthenticated (a bearer token was sent and is invalid)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "oauth_provider_unknown", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "redirect_uri_not_allowed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "provider or Redis unreachable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get_oauth_authorization_url(
    State(state): State<AppState>,
    MaybeCustomer(me): MaybeCustomer,
    Path(provider): Path<String>,
    Query(q): Query<AuthorizeQuery>,
) -> Result<Json<AuthorizationUrl>, ApiError> {
    let url = state.auth.oauth_authorization_url(&provider, q.redirect_uri.as_deref(), me.map(|m| m.user_id)).await?;
    Ok(Json(AuthorizationUrl { authorization_url: url }))
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
        (status = 400, description = "oauth_state_invalid (wrong, expired, reused or foreign state)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "oauth_exchange_failed (code, PKCE or ID token refused)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "oauth_provider_unknown", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "account_exists_link_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed, oauth_email_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "provider or Redis unreachable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn complete_oauth_login(
    State(state): State<AppState>,
    Client(client): Client,
    Path(provider): Path<String>,
    ValidatedJson(req): ValidatedJson<OauthCallbackRequest>,
) -> Result<Json<LoginResult>, ApiError> {
    Ok(Json(state.auth.oauth_login(&provider, &req.code, &req.state, &client).await?.into()))
}

#[utoipa::path(
    get, path = "/api/v1/auth/methods", operation_id = "listLoginMethods", tag = "auth",
    summary = "My ways to sign in",
    security(("customerBearer" = [])),
    responses(
        (status = 200, description = "Password, e-mail code and linked providers", body = LoginMethodPage),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn list_login_methods(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<LoginMethodPage>, ApiError> {
    let items = state.auth.login_methods(me.user_id).await?.into_iter().map(LoginMethod::from).collect();
    Ok(Json(LoginMethodPage { items, next_cursor: None }))
}

#[utoipa::path(
    post, path = "/api/v1/auth/methods/oauth/{provider}", operation_id = "linkOauthMethod", tag = "auth",
    summary = "Link a provider account to mine",
    description = "`code` and `state` come from a flow started by `getOauthAuthorizationUrl` with this customer's bearer token.",
    security(("customerBearer" = [])),
    params(("provider" = String, Path, description = "Configured provider name")),
    request_body = OauthCallbackRequest,
    responses(
        (status = 201, description = "Linked", body = LoginMethod),
        (status = 400, description = "oauth_state_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated, oauth_exchange_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "oauth_provider_unknown", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "oauth_identity_in_use", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "provider or Redis unreachable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn link_oauth_method(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(provider): Path<String>,
    ValidatedJson(req): ValidatedJson<OauthCallbackRequest>,
) -> Result<(StatusCode, Json<LoginMethod>), ApiError> {
    let row = state.auth.oauth_link(me.user_id, &provider, &req.code, &req.state).await?;
    Ok((StatusCode::CREATED, Json(ServiceMethod::Oauth(row).into())))
}

#[utoipa::path(
    post, path = "/api/v1/auth/methods/password", operation_id = "setPassword", tag = "auth",
    summary = "Give my account a password (when it has none)",
    security(("customerBearer" = [])),
    request_body = SetPasswordRequest,
    responses(
        (status = 201, description = "Password set", body = LoginMethod),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "password_already_set", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn set_password(
    State(state): State<AppState>,
    Customer(me): Customer,
    ValidatedJson(req): ValidatedJson<SetPasswordRequest>,
) -> Result<(StatusCode, Json<LoginMethod>), ApiError> {
    state.auth.set_password(me.user_id, &req.new_password).await?;
    Ok((StatusCode::CREATED, Json(ServiceMethod::Password.into())))
}

#[utoipa::path(
    delete, path = "/api/v1/auth/methods/{id}", operation_id = "removeLoginMethod", tag = "auth",
    summary = "Remove one of my ways to sign in",
    security(("customerBearer" = [])),
    params(("id" = String, Path, description = "`password`, `email_code` or a linked identity's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "last_login_method", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn remove_login_method(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if id.len() > 64 {
        return Err(ApiError::new(ErrorCode::NotFound, "no such login method"));
    }
    state.auth.remove_login_method(me.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/auth/methods/password` is `removeLoginMethod` with id `password`; the
/// router needs it spelled out because `setPassword`'s static path shadows `{id}` there.
pub async fn remove_password_method(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<StatusCode, ApiError> {
    state.auth.remove_login_method(me.user_id, PASSWORD_METHOD).await?;
    Ok(StatusCode::NO_CONTENT)
}
