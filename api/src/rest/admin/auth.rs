//! Staff sign-in and self-service routes (tag `admin`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::admin::{Permission, Role};

use super::dto::*;
use crate::http::customer::Client;
use crate::http::json::ValidatedJson;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::{Audited, Staff};
use crate::rest::auth_dto::{
    ChangePasswordRequest, DisableTotpRequest, LoginMfaRequest, RecoveryCodes, TotpCodeRequest, TotpSetup,
};
use crate::rest::auth_mfa::factor;
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/admin/auth/setup", operation_id = "adminCompleteSetup", tag = "admin",
    summary = "Set the first password from a setup link",
    description = "`helium-cli admin create` prints a single-use link valid 24 h; its token sets the password once.",
    request_body = AdminSetupRequest,
    responses(
        (status = 204, description = "Password set; sign in with adminLogin"),
        (status = 410, description = "link_expired, link_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_complete_setup(
    State(state): State<AppState>,
    ValidatedJson(req): ValidatedJson<AdminSetupRequest>,
) -> Result<StatusCode, ApiError> {
    state.staff.complete_setup(&req.token, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/login", operation_id = "adminLogin", tag = "admin",
    summary = "Staff sign-in",
    request_body = AdminLoginRequest,
    responses(
        (status = 200, description = "A staff token, or an MFA challenge", body = AdminLoginResult),
        (status = 401, description = "invalid_credentials", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited; too_many_attempts (10 wrong passwords for this address in 15 min)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_login(
    State(state): State<AppState>,
    Client(client): Client,
    ValidatedJson(req): ValidatedJson<AdminLoginRequest>,
) -> Result<Json<AdminLoginResult>, ApiError> {
    Ok(Json(state.staff.login(&req.email, &req.password, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/logout", operation_id = "adminLogout", tag = "admin",
    summary = "End this staff session",
    responses(
        (status = 204, description = "Signed out; the token stops working at once"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_logout(State(state): State<AppState>, Staff(me): Staff) -> Result<StatusCode, ApiError> {
    state.staff.logout(&me).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/api/v1/admin/me", operation_id = "adminGetMe", tag = "admin",
    summary = "The signed-in staff member and their permissions",
    responses(
        (status = 200, description = "Profile", body = AdminMe),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_get_me(State(state): State<AppState>, Staff(me): Staff) -> Result<Json<AdminMe>, ApiError> {
    let id = me.admin_id.ok_or_else(ApiError::not_found)?;
    let admin = state.staff.get_admin(id).await?;
    let permissions = me.permission_names();
    Ok(Json(AdminMe { admin: admin.into(), permissions }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/roles", operation_id = "adminListRoles", tag = "admin",
    summary = "The role → permission table",
    description = "The single source of truth the server enforces (default deny).",
    responses(
        (status = 200, description = "Every role with its permissions", body = RoleMatrix),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_roles(Staff(_me): Staff) -> Json<RoleMatrix> {
    let roles = Role::ALL
        .into_iter()
        .map(|r| RolePermissions {
            role: r.as_str().to_owned(),
            permissions: r.permissions().iter().map(|p| p.as_str().to_owned()).collect(),
        })
        .collect();
    let human_only = Permission::ALL.into_iter().filter(|p| p.human_only()).map(|p| p.as_str().to_owned()).collect();
    Json(RoleMatrix { roles, human_only })
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/login/mfa", operation_id = "adminLoginMfa", tag = "admin",
    summary = "Second staff sign-in step: TOTP or recovery code",
    description = "Takes the 300 s `mfa_token` of adminLogin and exactly one of `code` / `recovery_code`. \
                   Five wrong second factors per account in 15 min answer 429 too_many_attempts.",
    request_body = LoginMfaRequest,
    responses(
        (status = 200, description = "Signed in: a staff token", body = AdminLoginResult),
        (status = 401, description = "mfa_token_invalid, invalid_code, code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_login_mfa(
    State(state): State<AppState>,
    Client(client): Client,
    ValidatedJson(req): ValidatedJson<LoginMfaRequest>,
) -> Result<Json<AdminLoginResult>, ApiError> {
    let f = factor(&req.code, &req.recovery_code)?;
    Ok(Json(state.staff.login_mfa(&req.mfa_token, f, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/mfa/totp/setup", operation_id = "adminSetupTotp", tag = "admin",
    summary = "Start staff TOTP setup: a new secret and otpauth URI",
    description = "Allowed before TOTP is on, so that an account the MFA rule blocks from writing can turn it on.",
    responses(
        (status = 200, description = "Secret (shown once)", body = TotpSetup),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_setup_totp(State(state): State<AppState>, a: Audited) -> Result<Json<TotpSetup>, ApiError> {
    let s = state.staff.setup_totp(&a.me, &a.actor).await?;
    Ok(Json(TotpSetup { secret: s.secret, otpauth_uri: s.otpauth_uri }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/mfa/totp/enable", operation_id = "adminEnableTotp", tag = "admin",
    summary = "Turn staff TOTP on with a first code",
    description = "Returns ten one-time recovery codes (shown once); the account's other sessions end.",
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "Enabled", body = RecoveryCodes),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed (wrong code), permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_setup_required, mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_enable_totp(
    State(state): State<AppState>,
    a: Audited,
    ValidatedJson(req): ValidatedJson<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(RecoveryCodes { recovery_codes: state.staff.enable_totp(&a.me, &a.actor, &req.code).await? }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/mfa/totp/disable", operation_id = "adminDisableTotp", tag = "admin",
    summary = "Turn staff TOTP off",
    description = "Needs the password and a TOTP or recovery code; the account's other sessions end.",
    request_body = DisableTotpRequest,
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "unauthenticated, code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed, permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_disable_totp(
    State(state): State<AppState>,
    a: Audited,
    ValidatedJson(req): ValidatedJson<DisableTotpRequest>,
) -> Result<StatusCode, ApiError> {
    let f = factor(&req.code, &req.recovery_code)?;
    state.staff.disable_totp(&a.me, &a.actor, f, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/mfa/recovery-codes", operation_id = "adminRegenerateRecoveryCodes", tag = "admin",
    summary = "Replace my staff recovery codes",
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "New codes (the old ones no longer work)", body = RecoveryCodes),
        (status = 401, description = "unauthenticated, code_already_used", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed, permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_regenerate_recovery_codes(
    State(state): State<AppState>,
    a: Audited,
    ValidatedJson(req): ValidatedJson<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(RecoveryCodes { recovery_codes: state.staff.regenerate_recovery_codes(&a.me, &a.actor, &req.code).await? }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/password/change", operation_id = "adminChangePassword", tag = "admin",
    summary = "Change my staff password",
    description = "Needs the current password; the account's other sessions end.",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "reauth_failed, permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_change_password(
    State(state): State<AppState>,
    a: Audited,
    ValidatedJson(req): ValidatedJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    state.staff.change_password(&a.me, &a.actor, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    patch, path = "/api/v1/admin/me", operation_id = "adminUpdateMe", tag = "admin",
    summary = "Change my staff name or avatar",
    request_body = AdminUpdateMeRequest,
    responses(
        (status = 200, description = "Profile", body = AdminMe),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_me(
    State(state): State<AppState>,
    a: Audited,
    ValidatedJson(req): ValidatedJson<AdminUpdateMeRequest>,
) -> Result<Json<AdminMe>, ApiError> {
    let admin = state.staff.update_me(&a.me, &a.actor, req.into()).await?;
    let permissions = a.me.permission_names();
    Ok(Json(AdminMe { admin: admin.into(), permissions }))
}
