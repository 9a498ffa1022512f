//! Password reset and change (tag `auth`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use helium_domain::auth::commands::{self, ChangePassword, TokenPassword};

use super::dto::*;
use super::sign_in::accepted;
use crate::http::customer::{Client, Customer};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/auth/password/forgot", operation_id = "forgotPassword", tag = "auth",
    summary = "E-mail a password reset link",
    description = "Always 202 with the same body for known, unknown and banned addresses.",
    security(()),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Accepted", body = Accepted),
        (status = 429, description = "resend_too_soon, rate_limited (Retry-After)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn forgot_password(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<EmailRequest>,
) -> Result<Response, ApiError> {
    let email = commands::email_only(&req.email)?;
    state.auth.recovery.forgot_password(&email, &client).await?;
    Ok(accepted())
}

#[utoipa::path(
    post, path = "/api/v1/auth/password/reset", operation_id = "resetPassword", tag = "auth",
    summary = "Set a new password from the e-mailed link",
    description = "Every session of the account ends; a security notice is e-mailed.",
    security(()),
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "Password changed; all sessions revoked"),
        (status = 410, description = "link_expired, link_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ResetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let cmd = TokenPassword::new(&req.token, &req.new_password, "new_password")?;
    state.auth.recovery.reset_password(&cmd).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/password/change", operation_id = "changePassword", tag = "auth",
    summary = "Change my password",
    description = "Needs the current password (wrong ones count like failed sign-ins); every other session ends.",
    security(("customerBearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed; other sessions revoked"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    Customer(me): Customer,
    Client(client): Client,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let cmd = ChangePassword::new(&req.current_password, &req.new_password)?;
    state.auth.recovery.change_password(me, &cmd, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
