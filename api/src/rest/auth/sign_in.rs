//! Signing in: password, e-mailed code, the MFA step, refresh (tag `auth`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use helium_domain::auth::commands::{self, Credentials, EmailCode, MfaStep};

use super::dto::*;
use crate::http::customer::Client;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/auth/login", operation_id = "login", tag = "auth",
    summary = "Sign in with e-mail and password",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or an MFA challenge", body = LoginResult),
        (status = 401, description = "invalid_credentials", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited; too_many_attempts (10 wrong passwords for this address from this client in 15 min, 100 from one client)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<LoginResult>, ApiError> {
    let cmd = Credentials::new(&req.email, &req.password)?;
    Ok(Json(state.auth.sign_in.login(&cmd, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/login/mfa", operation_id = "loginMfa", tag = "auth",
    summary = "Second sign-in step: TOTP or recovery code",
    security(()),
    request_body = LoginMfaRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "mfa_token_invalid, invalid_code, code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts (5 wrong codes in 15 min), rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn login_mfa(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<LoginMfaRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let cmd = MfaStep::new(&req.mfa_token, req.code.as_deref(), req.recovery_code.as_deref())?;
    Ok(Json(state.auth.sign_in.login_mfa(&cmd, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/token/refresh", operation_id = "refreshToken", tag = "auth",
    summary = "Rotate the refresh token and get a new access token",
    description = "Each refresh token works once. Presenting one that was already rotated revokes the whole session (401 refresh_token_reused).",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenPair),
        (status = 401, description = "refresh_token_invalid, refresh_token_reused", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn refresh_token(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let token = commands::token_only("refresh_token", &req.refresh_token)?;
    Ok(Json(state.auth.sign_in.refresh(&token).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/login/email-code", operation_id = "requestEmailCode", tag = "auth",
    summary = "E-mail a six-digit sign-in code",
    description = "Always 202 with the same body for known, unknown and banned addresses.",
    security(()),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Accepted", body = Accepted),
        (status = 429, description = "resend_too_soon, rate_limited (Retry-After)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn request_email_code(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<EmailRequest>,
) -> Result<Response, ApiError> {
    let email = commands::email_only(&req.email)?;
    state.auth.sign_in.request_email_code(&email, &client).await?;
    Ok(accepted())
}

#[utoipa::path(
    post, path = "/api/v1/auth/login/email-code/verify", operation_id = "verifyEmailCode", tag = "auth",
    summary = "Sign in with an e-mailed code",
    description = "Five wrong codes per account in 15 minutes (across codes: asking for a new one does not reset the count), then 429.",
    security(()),
    request_body = VerifyEmailCodeRequest,
    responses(
        (status = 200, description = "Signed in, or an MFA challenge", body = LoginResult),
        (status = 401, description = "invalid_code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn verify_email_code(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<VerifyEmailCodeRequest>,
) -> Result<Json<LoginResult>, ApiError> {
    let cmd = EmailCode::new(&req.email, &req.code)?;
    Ok(Json(state.auth.sign_in.verify_email_code(&cmd, &client).await?.into()))
}

pub(super) fn accepted() -> Response {
    (StatusCode::ACCEPTED, Json(Accepted { status: "accepted".to_owned() })).into_response()
}
