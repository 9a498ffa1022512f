//! TOTP MFA routes (tag `auth`): setup, enable, disable, recovery codes, second sign-in step.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::FieldError;
use helium_infra::auth::mfa::SecondFactor;

use super::auth_dto::*;
use crate::http::customer::{Client, Customer};
use crate::http::json::ValidatedJson;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

/// Exactly one of `code` / `recovery_code`.
pub(crate) fn factor<'a>(code: &'a Option<String>, recovery: &'a Option<String>) -> Result<SecondFactor<'a>, ApiError> {
    match (code.as_deref(), recovery.as_deref()) {
        (Some(c), None) => Ok(SecondFactor::Code(c)),
        (None, Some(r)) => Ok(SecondFactor::Recovery(r)),
        _ => Err(ApiError::validation(vec![
            FieldError::new("code", "required", "give exactly one of code or recovery_code").into(),
        ])),
    }
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
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn login_mfa(
    State(state): State<AppState>,
    Client(client): Client,
    ValidatedJson(req): ValidatedJson<LoginMfaRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let f = factor(&req.code, &req.recovery_code)?;
    Ok(Json(state.auth.login_mfa(&req.mfa_token, f, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/setup", operation_id = "setupTotp", tag = "auth",
    summary = "Start TOTP setup: a new secret and otpauth URI",
    security(("customerBearer" = [])),
    responses(
        (status = 200, description = "Secret (shown once)", body = TotpSetup),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn setup_totp(State(state): State<AppState>, Customer(me): Customer) -> Result<Json<TotpSetup>, ApiError> {
    let s = state.auth.setup_totp(me).await?;
    Ok(Json(TotpSetup { secret: s.secret, otpauth_uri: s.otpauth_uri }))
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/enable", operation_id = "enableTotp", tag = "auth",
    summary = "Turn TOTP on with a first code",
    description = "Returns ten one-time recovery codes (shown once); other sessions end; a security e-mail is sent.",
    security(("customerBearer" = [])),
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "Enabled", body = RecoveryCodes),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed (wrong code)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_setup_required, mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn enable_totp(
    State(state): State<AppState>,
    Customer(me): Customer,
    ValidatedJson(req): ValidatedJson<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(RecoveryCodes { recovery_codes: state.auth.enable_totp(me, &req.code).await? }))
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/disable", operation_id = "disableTotp", tag = "auth",
    summary = "Turn TOTP off",
    description = "Needs the password and a TOTP or recovery code; other sessions end; a security e-mail is sent.",
    security(("customerBearer" = [])),
    request_body = DisableTotpRequest,
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "unauthenticated, code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn disable_totp(
    State(state): State<AppState>,
    Customer(me): Customer,
    ValidatedJson(req): ValidatedJson<DisableTotpRequest>,
) -> Result<StatusCode, ApiError> {
    let f = factor(&req.code, &req.recovery_code)?;
    state.auth.disable_totp(me, f, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/mfa/recovery-codes", operation_id = "regenerateRecoveryCodes", tag = "auth",
    summary = "Replace my recovery codes",
    security(("customerBearer" = [])),
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "New codes (the old ones no longer work)", body = RecoveryCodes),
        (status = 401, description = "unauthenticated, code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    Customer(me): Customer,
    ValidatedJson(req): ValidatedJson<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(RecoveryCodes { recovery_codes: state.auth.regenerate_recovery_codes(me, &req.code).await? }))
}
