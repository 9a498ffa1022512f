//! Customer account operations for staff (tag `customers`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::auth::CustomerAccount;
use helium_domain::auth::commands::reason;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::{Audited, Staff};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// An id, or part of an e-mail address or display name.
    pub q: Option<String>,
    /// `active` or `banned`.
    pub status: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page, with the same filters.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why: kept in the audit log.
    pub reason: String,
}

/// A customer account as staff see it (never hashes or secrets).
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummary {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    /// `active` or `banned`.
    pub status: String,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerAccount> for CustomerSummary {
    fn from(c: CustomerAccount) -> Self {
        Self {
            id: c.id,
            email: c.email,
            display_name: c.display_name,
            status: c.status.as_str().to_owned(),
            mfa_enabled: c.mfa_enabled,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPage {
    pub items: Vec<CustomerSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerLoginMethod {
    /// `password`, `email_code` or `oauth`.
    pub kind: String,
    pub provider: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSessionInfo {
    pub id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub account: CustomerSummary,
    pub login_methods: Vec<CustomerLoginMethod>,
    /// Live sessions, most recently used first.
    pub sessions: Vec<CustomerSessionInfo>,
    /// The customer's manual groups (what `adminSetCustomerGroups` sets).
    pub group_ids: Vec<Uuid>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/customers", operation_id = "adminListCustomers", tag = "customers",
    summary = "Search customer accounts",
    description = "Newest first by `(created_at, id)`; the cursor is bound to the filters.",
    params(CustomerFilter),
    responses(
        (status = 200, description = "One page", body = CustomerPage),
        (status = 400, description = "invalid_cursor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (limit, status)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_customers(
    State(state): State<AppState>,
    Staff(_me): Staff,
    Query(f): Query<CustomerFilter>,
) -> Result<Json<CustomerPage>, ApiError> {
    let page = state.auth.customers.page(f.q.as_deref(), f.status.as_deref(), f.limit, f.cursor.as_deref()).await?;
    Ok(Json(CustomerPage {
        items: page.items.into_iter().map(CustomerSummary::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/customers/{id}", operation_id = "adminGetCustomer", tag = "customers",
    summary = "One customer account: state, login methods, MFA, sessions",
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The account", body = CustomerDetail),
    )
)]
pub async fn admin_get_customer(
    State(state): State<AppState>,
    Staff(_me): Staff,
    Path(id): Path<Uuid>,
) -> Result<Json<CustomerDetail>, ApiError> {
    let d = state.auth.customers.details(id).await?;
    let mut login_methods = Vec::new();
    if d.account.has_password {
        login_methods.push(CustomerLoginMethod { kind: "password".into(), provider: None, last_used_at: None });
    }
    if d.account.email_code_enabled {
        login_methods.push(CustomerLoginMethod { kind: "email_code".into(), provider: None, last_used_at: None });
    }
    login_methods.extend(d.identities.into_iter().map(|i| CustomerLoginMethod {
        kind: "oauth".into(),
        provider: Some(i.provider),
        last_used_at: i.last_used_at,
    }));
    let sessions = d
        .sessions
        .into_iter()
        .map(|s| CustomerSessionInfo {
            id: s.id,
            device: s.device,
            ip: s.ip,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
        })
        .collect();
    let group_ids = state.shop.groups.of_customer(id).await?;
    Ok(Json(CustomerDetail { account: d.account.into(), login_methods, sessions, group_ids }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/customers/{id}/ban", operation_id = "adminBanCustomer", tag = "customers",
    summary = "Ban a customer: every session ends at once",
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Banned", body = CustomerSummary),
        (status = 409, description = "invalid_state (already banned)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (reason required)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_ban_customer(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ReasonRequest>,
) -> Result<Json<CustomerSummary>, ApiError> {
    Ok(Json(state.auth.customers.set_banned(&a.actor, id, true, &reason(&req.reason)?).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/customers/{id}/unban", operation_id = "adminUnbanCustomer", tag = "customers",
    summary = "Lift a ban",
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Active again", body = CustomerSummary),
        (status = 409, description = "invalid_state (not banned)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (reason required)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_unban_customer(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ReasonRequest>,
) -> Result<Json<CustomerSummary>, ApiError> {
    Ok(Json(state.auth.customers.set_banned(&a.actor, id, false, &reason(&req.reason)?).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/customers/{id}/mfa/reset", operation_id = "adminResetCustomerMfa", tag = "customers",
    summary = "Remove a customer's TOTP and recovery codes",
    description = "For the seed's verified-recovery flow: verify the customer's identity first. The customer is told by e-mail.",
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = ReasonRequest,
    responses(
        (status = 204, description = "MFA removed"),
        (status = 409, description = "mfa_not_enabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (reason required)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_reset_customer_mfa(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ReasonRequest>,
) -> Result<StatusCode, ApiError> {
    state.auth.customers.reset_mfa(&a.actor, id, &reason(&req.reason)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete, path = "/api/v1/admin/customers/{id}/sessions", operation_id = "adminRevokeCustomerSessions", tag = "customers",
    summary = "Sign a customer out everywhere",
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 204, description = "Every session ended"),
    )
)]
pub async fn admin_revoke_customer_sessions(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.auth.customers.revoke_sessions(&a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
