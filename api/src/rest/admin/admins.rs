//! Staff account management routes (tag `admin`, permission `admins.manage`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use helium_domain::admin::commands::AdminPatch;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::Admin;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListQuery {
    /// Only this role: `super_admin`, `moderator`, `customer_support` or `support_bot`.
    pub role: Option<String>,
    /// Only `active` or only `disabled` accounts.
    pub status: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page, with the same filters.
    pub cursor: Option<String>,
}

/// One page of staff accounts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminPage {
    pub items: Vec<Admin>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

/// Fields to change; an absent field is left as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateRequest {
    pub name: Option<String>,
    /// The new role: at most the caller's own, never the caller's own account. Ends the
    /// account's sessions at once.
    pub role: Option<String>,
    /// True disables the account (its sessions end at once); false re-enables it.
    pub disabled: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/admins", operation_id = "adminListAdmins", tag = "admin",
    summary = "List staff accounts",
    description = "Newest first by `(created_at, id)`. The cursor is bound to the `role` and `status` filters.",
    params(AdminListQuery),
    responses(
        (status = 200, description = "One page of accounts", body = AdminPage),
        (status = 400, description = "invalid_cursor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (role, status, limit)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_admins(
    State(state): State<AppState>,
    Query(q): Query<AdminListQuery>,
) -> Result<Json<AdminPage>, ApiError> {
    let page = state.admin.admins.page(q.role.as_deref(), q.status.as_deref(), q.limit, q.cursor.as_deref()).await?;
    Ok(Json(AdminPage { items: page.items.into_iter().map(Admin::from).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/admins/{id}", operation_id = "adminGetAdmin", tag = "admin",
    summary = "One staff account",
    params(("id" = Uuid, Path, description = "Admin id")),
    responses(
        (status = 200, description = "The account", body = Admin),
    )
)]
pub async fn admin_get_admin(State(state): State<AppState>, Path(id): Path<Uuid>) -> Result<Json<Admin>, ApiError> {
    Ok(Json(state.admin.admins.get(id).await?.into()))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/admins/{id}", operation_id = "adminUpdateAdmin", tag = "admin",
    summary = "Rename, change the role of, disable or re-enable a staff account",
    description = "Nobody grants a role above their own or changes their own role (403 role_not_grantable). A role change or disable ends every session of the account at once; disabling revokes the API keys it made, a demotion those above its new role. The last active SuperAdmin can be neither demoted nor disabled (409 last_super_admin).",
    params(("id" = Uuid, Path, description = "Admin id")),
    request_body = AdminUpdateRequest,
    responses(
        (status = 200, description = "The account after the change", body = Admin),
        (status = 403, description = "permission_denied, mfa_required, role_not_grantable", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "last_super_admin", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_admin(
    State(state): State<AppState>,
    Audited { me, actor }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<AdminUpdateRequest>,
) -> Result<Json<Admin>, ApiError> {
    let patch = AdminPatch::new(req.name.as_deref(), req.role.as_deref(), req.disabled)?;
    Ok(Json(state.admin.admins.update(&me, &actor, id, &patch).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/admins/{id}", operation_id = "adminDeleteAdmin", tag = "admin",
    summary = "Delete a staff account",
    description = "Its sessions end with it and the API keys it made are revoked. The last active SuperAdmin cannot be deleted (409 last_super_admin).",
    params(("id" = Uuid, Path, description = "Admin id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "last_super_admin", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_delete_admin(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.admin.admins.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
