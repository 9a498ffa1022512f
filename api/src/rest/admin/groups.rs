//! Customer groups for staff (tag `customers`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::shop::commands::{GroupInput, GroupPatch};
use helium_domain::shop::model::CustomerGroup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::PageQuery;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Every new customer joins it.
    pub is_default: bool,
    /// What anonymous visitors see.
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerGroup> for Group {
    fn from(g: CustomerGroup) -> Self {
        Self {
            id: g.id,
            name: g.name,
            description: g.description,
            is_default: g.is_default,
            is_public: g.is_public,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupPage {
    pub items: Vec<Group>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupCreateRequest {
    pub name: String,
    pub description: Option<String>,
}

/// Absent = unchanged; `description: null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUpdateRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerGroupsRequest {
    /// The customer's manual groups (replaces them).
    pub group_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerGroups {
    pub group_ids: Vec<Uuid>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/groups", operation_id = "adminListGroups", tag = "customers",
    summary = "Customer groups, newest first",
    params(PageQuery),
    responses((status = 200, description = "One page", body = GroupPage))
)]
pub async fn admin_list_groups(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<GroupPage>, ApiError> {
    let page = state.shop.groups.page(q.cursor.as_deref(), q.limit).await?;
    Ok(Json(GroupPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/groups", operation_id = "adminCreateGroup", tag = "customers",
    summary = "Create a customer group",
    request_body = GroupCreateRequest,
    responses(
        (status = 201, description = "Created", body = Group),
        (status = 409, description = "group_name_taken", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_create_group(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<GroupCreateRequest>,
) -> Result<(StatusCode, Json<Group>), ApiError> {
    let cmd = GroupInput::new(&req.name, req.description.as_deref())?;
    Ok((StatusCode::CREATED, Json(state.shop.groups.create(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/groups/{id}", operation_id = "adminUpdateGroup", tag = "customers",
    summary = "Rename or describe a group",
    params(("id" = Uuid, Path, description = "Group id")),
    request_body = GroupUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = Group),
        (status = 409, description = "group_name_taken", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_group(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<GroupUpdateRequest>,
) -> Result<Json<Group>, ApiError> {
    let cmd = GroupPatch::new(req.name.as_deref(), req.description.as_ref().map(|d| d.as_deref()))?;
    Ok(Json(state.shop.groups.update(&actor, id, &cmd).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/groups/{id}", operation_id = "adminDeleteGroup", tag = "customers",
    summary = "Delete a group nothing uses",
    params(("id" = Uuid, Path, description = "Group id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "group_in_use (members, products, package versions, or the default/public group)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_delete_group(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.shop.groups.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put, path = "/api/v1/admin/customers/{id}/groups", operation_id = "adminSetCustomerGroups", tag = "customers",
    summary = "Set a customer's manual groups",
    description = "A customer is in these groups plus their active package's groups.",
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = CustomerGroupsRequest,
    responses((status = 200, description = "The manual groups now", body = CustomerGroups))
)]
pub async fn admin_set_customer_groups(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<CustomerGroupsRequest>,
) -> Result<Json<CustomerGroups>, ApiError> {
    let group_ids = state.shop.groups.set_for_customer(&actor, id, &req.group_ids).await?;
    Ok(Json(CustomerGroups { group_ids }))
}
