//! Sign-up by e-mailed magic link (tag `auth`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::auth::commands::{Register, TokenPassword};

use super::dto::*;
use crate::http::customer::Client;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/auth/register", operation_id = "register", tag = "auth",
    summary = "Start registration: e-mail a sign-up link",
    description = "Always answers 202 with the same body, whether or not the address has an account (an existing account is e-mailed a sign-in/reset notice instead of a link).",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "E-mail queued", body = EmailSent),
        (status = 403, description = "registration_closed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed, email_domain_not_allowed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "resend_too_soon, rate_limited (Retry-After)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<RegisterRequest>,
) -> Result<Response, ApiError> {
    let cmd = Register::new(&req.email, req.referral_code.as_deref())?;
    state.auth.registration.register(&cmd, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(EmailSent { status: "email_sent".to_owned() })).into_response())
}

#[utoipa::path(
    post, path = "/api/v1/auth/register/complete", operation_id = "completeRegistration", tag = "auth",
    summary = "Finish registration from the e-mailed link",
    security(()),
    request_body = CompleteRegistrationRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = RegistrationCompleted),
        (status = 410, description = "link_expired, link_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn complete_registration(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<CompleteRegistrationRequest>,
) -> Result<Response, ApiError> {
    let cmd = TokenPassword::new(&req.token, &req.password, "password")?;
    let (user, tokens) = state.auth.registration.complete(&cmd, &client).await?;
    let body = RegistrationCompleted { account: user.into(), tokens: Some(tokens.into()) };
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    res.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/api/v1/me"));
    Ok(res)
}
