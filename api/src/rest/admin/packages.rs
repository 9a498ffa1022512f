//! Customers' packages and subscription tokens, for staff (tag `telecom`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use helium_domain::auth::commands::reason;
use uuid::Uuid;

use super::customers::ReasonRequest;
use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::telecom::customer::{package_status, with_positions};
use crate::rest::telecom::dto::*;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/admin/packages", operation_id = "adminListPackages", tag = "telecom",
    summary = "Packages, newest first",
    params(AdminPackageQuery),
    responses((status = 200, description = "One page of packages", body = PackagePage))
)]
pub async fn admin_list_packages(
    State(state): State<AppState>,
    Query(q): Query<AdminPackageQuery>,
) -> Result<Json<PackagePage>, ApiError> {
    let user_id = params::uuid("user_id", q.user_id)?;
    let status = package_status(q.status.as_deref())?;
    let page = state.telecom.packages.page(user_id, status, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(PackagePage { items: with_positions(&state, page.items).await?, next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/packages/{id}/cancel", operation_id = "adminCancelPackage", tag = "telecom",
    summary = "Cancel a queued or active package",
    description = "The customer's next queued package activates. Money is not returned: refund the order for that.",
    params(("id" = Uuid, Path, description = "Package id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The cancelled package", body = Package),
        (status = 409, description = "invalid_state (already ended)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (reason required)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_cancel_package(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ReasonRequest>,
) -> Result<Json<Package>, ApiError> {
    let p = state.telecom.packages.cancel_by_staff(&a.actor, id, &reason(&req.reason)?).await?;
    Ok(Json(Package::new(p, None)))
}

#[utoipa::path(
    post, path = "/api/v1/admin/customers/{id}/subscription/rotate", operation_id = "adminRotateCustomerSubscription", tag = "telecom",
    summary = "Give a customer a new subscription token (the old one stops working)",
    description = "For a leaked link. The new token is not shown to staff: the customer reads it in their account.",
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = ReasonRequest,
    responses(
        (status = 204, description = "Rotated"),
        (status = 422, description = "validation_failed (reason required)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_rotate_customer_subscription(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ReasonRequest>,
) -> Result<StatusCode, ApiError> {
    state.telecom.subscriptions.rotate(id, Some((&a.actor, &reason(&req.reason)?))).await?;
    Ok(StatusCode::NO_CONTENT)
}
