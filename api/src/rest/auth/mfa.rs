//! TOTP MFA (tag `auth`): setup, enable, disable, recovery codes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::auth::commands::{self, DisableTotp};

use super::dto::*;
use crate::http::customer::{Client, Customer};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/setup", operation_id = "setupTotp", tag = "auth",
    summary = "Start TOTP setup: a new secret and otpauth URI",
    security(("customerBearer" = [])),
    responses(
        (status = 200, description = "Secret (shown once)", body = TotpSetup),
        (status = 409, description = "mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn setup_totp(State(state): State<AppState>, Customer(me): Customer) -> Result<Json<TotpSetup>, ApiError> {
    Ok(Json(state.auth.mfa.setup_totp(me).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/enable", operation_id = "enableTotp", tag = "auth",
    summary = "Turn TOTP on with a first code",
    description = "Returns ten one-time recovery codes (shown once); other sessions end; a security e-mail is sent.",
    security(("customerBearer" = [])),
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "Enabled", body = RecoveryCodes),
        (status = 403, description = "reauth_failed (wrong code)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_setup_required, mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn enable_totp(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let code = commands::code_only(&req.code)?;
    Ok(Json(RecoveryCodes { recovery_codes: state.auth.mfa.enable_totp(me, &code).await? }))
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/disable", operation_id = "disableTotp", tag = "auth",
    summary = "Turn TOTP off",
    description = "Needs the password and a TOTP or recovery code; other sessions end; a security e-mail is sent.",
    security(("customerBearer" = [])),
    request_body = DisableTotpRequest,
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn disable_totp(
    State(state): State<AppState>,
    Customer(me): Customer,
    Client(client): Client,
    JsonBody(req): JsonBody<DisableTotpRequest>,
) -> Result<StatusCode, ApiError> {
    let cmd = DisableTotp::new(&req.password, req.code.as_deref(), req.recovery_code.as_deref())?;
    state.auth.mfa.disable_totp(me, &cmd, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/recovery-codes", operation_id = "regenerateRecoveryCodes", tag = "auth",
    summary = "Replace my recovery codes",
    description = "The TOTP code is the re-authentication this change needs.",
    security(("customerBearer" = [])),
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "New codes (the old ones no longer work)", body = RecoveryCodes),
        (status = 401, description = "code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts, rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let code = commands::code_only(&req.code)?;
    Ok(Json(RecoveryCodes { recovery_codes: state.auth.mfa.regenerate_recovery_codes(me, &code).await? }))
}
