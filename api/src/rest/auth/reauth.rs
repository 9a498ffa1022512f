//! Recent re-authentication ("sudo mode", tag `auth`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::auth::commands::ReauthProof;

use super::dto::*;
use crate::http::customer::{Client, Customer};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/auth/reauth", operation_id = "reauthenticate", tag = "auth",
    summary = "Confirm it is me, for a sensitive change",
    description = "Exactly one of the current password, a TOTP code, or the code `sendReauthCode` e-mailed. Returns a proof valid 5 minutes for this session only; send it as `X-Reauth-Token` when setting or removing a sign-in method, linking a provider or changing the e-mail address. Signing in is not such a proof. Wrong passwords and codes count like failed sign-ins.",
    security(("customerBearer" = [])),
    request_body = ReauthRequest,
    responses(
        (status = 200, description = "Proof of re-authentication", body = ReauthGrant),
        (status = 401, description = "code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled (a TOTP code for an account without TOTP)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reauthenticate(
    State(state): State<AppState>,
    Customer(me): Customer,
    Client(client): Client,
    JsonBody(req): JsonBody<ReauthRequest>,
) -> Result<Json<ReauthGrant>, ApiError> {
    let proof = ReauthProof::new(req.password.as_deref(), req.code.as_deref(), req.email_code.as_deref())?;
    let grant = state.auth.reauth.confirm(me, &proof, &client).await?;
    Ok(Json(ReauthGrant { reauth_token: grant.reauth_token, expires_in: grant.expires_in }))
}

#[utoipa::path(
    post, path = "/api/v1/auth/reauth/email-code", operation_id = "sendReauthCode", tag = "auth",
    summary = "E-mail me a code to confirm it is me",
    description = "For accounts without a password: a six-digit code to the account's own address, for `reauthenticate`.",
    security(("customerBearer" = [])),
    responses(
        (status = 202, description = "Code sent"),
        (status = 429, description = "resend_too_soon, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn send_reauth_code(
    State(state): State<AppState>,
    Customer(me): Customer,
    Client(client): Client,
) -> Result<StatusCode, ApiError> {
    state.auth.reauth.send_code(me, &client).await?;
    Ok(StatusCode::ACCEPTED)
}
