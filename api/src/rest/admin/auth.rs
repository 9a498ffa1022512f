//! Staff sign-in and self-service routes (tag `admin`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::admin::{Permission, Role};

use super::dto::*;
use crate::http::customer::Client;
use crate::http::json::ValidatedJson;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Staff;
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
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
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
    let permissions = Permission::ALL.into_iter().filter(|p| me.can(*p)).map(|p| p.as_str().to_owned()).collect();
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
