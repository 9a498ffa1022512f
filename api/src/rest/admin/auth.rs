//! Staff sign-in and self-service routes (tag `admin`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::admin::commands::ProfilePatch;
use helium_domain::admin::{Permission, Role};
use helium_domain::auth::commands::{self, ChangePassword, Credentials, DisableTotp, MfaStep, TokenPassword};

use super::dto::*;
use crate::http::customer::Client;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::{Audited, Staff};
use crate::rest::auth::dto::{
    ChangePasswordRequest, DisableTotpRequest, LoginMfaRequest, RecoveryCodes, TotpCodeRequest, TotpSetup,
};
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
    )
)]
pub async fn admin_complete_setup(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<AdminSetupRequest>,
) -> Result<StatusCode, ApiError> {
    let cmd = TokenPassword::new(&req.token, &req.password, "password")?;
    state.admin.admins.complete_setup(&cmd).await?;
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
        (status = 429, description = "rate_limited; too_many_attempts (10 wrong passwords for this address in 15 min)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_login(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<AdminLoginRequest>,
) -> Result<Json<AdminLoginResult>, ApiError> {
    let cmd = Credentials::new(&req.email, &req.password)?;
    Ok(Json(state.admin.auth.login(&cmd, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/logout", operation_id = "adminLogout", tag = "admin",
    summary = "End this staff session",
    responses(
        (status = 204, description = "Signed out; the token stops working at once"),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_logout(State(state): State<AppState>, Staff(me): Staff) -> Result<StatusCode, ApiError> {
    state.admin.auth.logout(&me).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/api/v1/admin/me", operation_id = "adminGetMe", tag = "admin",
    summary = "The signed-in staff member and their permissions",
    responses(
        (status = 200, description = "Profile", body = AdminMe),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_get_me(State(state): State<AppState>, Staff(me): Staff) -> Result<Json<AdminMe>, ApiError> {
    let id = me.admin_id.ok_or_else(ApiError::not_found)?;
    let admin = state.admin.admins.get(id).await?;
    let permissions = me.permission_names();
    Ok(Json(AdminMe { admin: admin.into(), permissions }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/roles", operation_id = "adminListRoles", tag = "admin",
    summary = "The role → permission table",
    description = "The single source of truth the server enforces (default deny).",
    responses(
        (status = 200, description = "Every role with its permissions", body = RoleMatrix),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
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
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_login_mfa(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(req): JsonBody<LoginMfaRequest>,
) -> Result<Json<AdminLoginResult>, ApiError> {
    let cmd = MfaStep::new(&req.mfa_token, req.code.as_deref(), req.recovery_code.as_deref())?;
    Ok(Json(state.admin.auth.login_mfa(&cmd, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/mfa/totp/setup", operation_id = "adminSetupTotp", tag = "admin",
    summary = "Start staff TOTP setup: a new secret and otpauth URI",
    description = "Allowed before TOTP is on, so that an account the MFA rule blocks from writing can turn it on.",
    responses(
        (status = 200, description = "Secret (shown once)", body = TotpSetup),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_setup_totp(State(state): State<AppState>, a: Audited) -> Result<Json<TotpSetup>, ApiError> {
    Ok(Json(state.admin.me.setup_totp(&a.me, &a.actor).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/mfa/totp/enable", operation_id = "adminEnableTotp", tag = "admin",
    summary = "Turn staff TOTP on with a first code",
    description = "Returns ten one-time recovery codes (shown once); the account's other sessions end.",
    request_body = TotpCodeRequest,
    responses(
        (status = 200, description = "Enabled", body = RecoveryCodes),
        (status = 403, description = "reauth_failed (wrong code), permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "mfa_setup_required, mfa_already_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_enable_totp(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let code = commands::code_only(&req.code)?;
    Ok(Json(RecoveryCodes { recovery_codes: state.admin.me.enable_totp(&a.me, &a.actor, &code).await? }))
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
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_disable_totp(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<DisableTotpRequest>,
) -> Result<StatusCode, ApiError> {
    let cmd = DisableTotp::new(&req.password, req.code.as_deref(), req.recovery_code.as_deref())?;
    state.admin.me.disable_totp(&a.me, &a.actor, &cmd).await?;
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
        (status = 429, description = "rate_limited, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_regenerate_recovery_codes(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<TotpCodeRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let code = commands::code_only(&req.code)?;
    Ok(Json(RecoveryCodes { recovery_codes: state.admin.me.regenerate_recovery_codes(&a.me, &a.actor, &code).await? }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/password/change", operation_id = "adminChangePassword", tag = "admin",
    summary = "Change my staff password",
    description = "Needs the current password; the account's other sessions end.",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "reauth_failed, permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_change_password(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let cmd = ChangePassword::new(&req.current_password, &req.new_password)?;
    state.admin.me.change_password(&a.me, &a.actor, &cmd).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    patch, path = "/api/v1/admin/me", operation_id = "adminUpdateMe", tag = "admin",
    summary = "Change my staff name or avatar",
    request_body = AdminUpdateMeRequest,
    responses(
        (status = 200, description = "Profile", body = AdminMe),
        (status = 403, description = "permission_denied (API keys)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_me(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<AdminUpdateMeRequest>,
) -> Result<Json<AdminMe>, ApiError> {
    let patch = ProfilePatch::new(req.name.as_deref(), req.avatar_url.as_ref().map(|v| v.as_deref()))?;
    let admin = state.admin.me.update_me(&a.me, &a.actor, &patch).await?;
    let permissions = a.me.permission_names();
    Ok(Json(AdminMe { admin: admin.into(), permissions }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/auth/token/refresh", operation_id = "adminRefreshToken", tag = "admin",
    summary = "Rotate the staff refresh token and get a new 15-minute access token",
    description = "Each refresh token works once; presenting a rotated one revokes the session. A session ends `admin-jwt.token_expiration` after sign-in.",
    request_body = AdminRefreshRequest,
    responses(
        (status = 200, description = "New access token and refresh token", body = AdminLoginResult),
        (status = 401, description = "refresh_token_invalid, refresh_token_reused", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_disabled", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_refresh_token(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<AdminRefreshRequest>,
) -> Result<Json<AdminLoginResult>, ApiError> {
    let token = commands::token_only("refresh_token", &req.refresh_token)?;
    Ok(Json(state.admin.auth.refresh(&token).await?.into()))
}
