//! Password reset/change and e-mail code sign-in (tag `auth`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::auth_dto::*;
use crate::http::customer::{Client, Customer};
use crate::http::json::ValidatedJson;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

fn accepted() -> Response {
    (StatusCode::ACCEPTED, Json(Accepted { status: "accepted".to_owned() })).into_response()
}

#[utoipa::path(
    post, path = "/api/v1/auth/password/forgot", operation_id = "forgotPassword", tag = "auth",
    summary = "E-mail a password reset link",
    description = "Always 202 with the same body for known, unknown and banned addresses.",
    security(()),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Accepted", body = Accepted),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "resend_too_soon, rate_limited (Retry-After)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn forgot_password(
    State(state): State<AppState>,
    ValidatedJson(req): ValidatedJson<EmailRequest>,
) -> Result<Response, ApiError> {
    state.auth.forgot_password(&req.email).await?;
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
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    ValidatedJson(req): ValidatedJson<ResetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    state.auth.reset_password(&req.token, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/password/change", operation_id = "changePassword", tag = "auth",
    summary = "Change my password",
    description = "Needs the current password; every other session ends.",
    security(("customerBearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed; other sessions revoked"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    Customer(me): Customer,
    ValidatedJson(req): ValidatedJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    state.auth.change_password(me, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/login/email-code", operation_id = "requestEmailCode", tag = "auth",
    summary = "E-mail a six-digit sign-in code",
    description = "Always 202 with the same body for known, unknown and banned addresses.",
    security(()),
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Accepted", body = Accepted),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "resend_too_soon, rate_limited (Retry-After)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn request_email_code(
    State(state): State<AppState>,
    ValidatedJson(req): ValidatedJson<EmailRequest>,
) -> Result<Response, ApiError> {
    state.auth.request_email_code(&req.email).await?;
    Ok(accepted())
}

#[utoipa::path(
    post, path = "/api/v1/auth/login/email-code/verify", operation_id = "verifyEmailCode", tag = "auth",
    summary = "Sign in with an e-mailed code",
    description = "Five wrong codes burn the code.",
    security(()),
    request_body = VerifyEmailCodeRequest,
    responses(
        (status = 200, description = "Signed in, or an MFA challenge", body = LoginResult),
        (status = 401, description = "invalid_code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn verify_email_code(
    State(state): State<AppState>,
    Client(client): Client,
    ValidatedJson(req): ValidatedJson<VerifyEmailCodeRequest>,
) -> Result<Json<LoginResult>, ApiError> {
    Ok(Json(state.auth.verify_email_code(&req.email, &req.code, &client).await?.into()))
}
