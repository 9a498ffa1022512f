//! Staff invitations (tag `admin`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::admin::Invitation as InvitationModel;
use helium_domain::admin::commands::NewInvitation;
use helium_domain::auth::commands::TokenPassword;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::Admin;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    pub email: String,
    pub name: String,
    /// `super_admin`, `moderator`, `customer_support` or `support_bot`; not above your own.
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    /// The token of the e-mailed link.
    pub token: String,
    pub password: String,
}

/// An invitation (never its token: that travels only by e-mail).
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: String,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub admin_id: Option<Uuid>,
}

impl From<InvitationModel> for Invitation {
    fn from(i: InvitationModel) -> Self {
        Self {
            status: i.status(Utc::now()).as_str().to_owned(),
            id: i.id,
            email: i.email,
            name: i.name,
            role: i.role.as_str().to_owned(),
            invited_by: i.invited_by,
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
            admin_id: i.admin_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPage {
    pub items: Vec<Invitation>,
    /// Pass as `cursor` (with the same filter) for the next page; null at the end.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationFilter {
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub status: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page, with the same filter.
    pub cursor: Option<String>,
}

#[utoipa::path(
    post, path = "/api/v1/admin/invitations", operation_id = "adminCreateInvitation", tag = "admin",
    summary = "Invite someone to a staff account",
    description = "E-mails a single-use link (valid `admin-jwt.invitation_expiration`, 72 h by default). The link is never returned.",
    request_body = CreateInvitationRequest,
    responses(
        (status = 201, description = "Invitation sent", body = Invitation),
        (status = 403, description = "permission_denied, mfa_required, role_not_grantable", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "admin_email_taken", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_create_invitation(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<CreateInvitationRequest>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let cmd = NewInvitation::new(&req.email, &req.name, &req.role)?;
    let inv = state.admin.invitations.invite(&a.me, &a.actor, &cmd).await?;
    Ok((StatusCode::CREATED, Json(inv.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/invitations", operation_id = "adminListInvitations", tag = "admin",
    summary = "Invitations, newest first",
    params(InvitationFilter),
    responses(
        (status = 200, description = "Invitations", body = InvitationPage),
        (status = 422, description = "validation_failed (unknown status)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_invitations(
    State(state): State<AppState>,
    _a: Audited,
    Query(f): Query<InvitationFilter>,
) -> Result<Json<InvitationPage>, ApiError> {
    let page = state.admin.invitations.page(f.status.as_deref(), f.limit, f.cursor.as_deref()).await?;
    Ok(Json(InvitationPage {
        items: page.items.into_iter().map(Invitation::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/invitations/{id}", operation_id = "adminRevokeInvitation", tag = "admin",
    summary = "Revoke an open invitation",
    params(("id" = Uuid, Path, description = "Invitation id")),
    responses(
        (status = 204, description = "Revoked; its link stops working"),
        (status = 409, description = "invitation_used", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_revoke_invitation(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.admin.invitations.revoke(&a.actor, id).await.map_err(revoke_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `invitation_used` is 410 where a link is redeemed but 409 on revoke (API.md §2.2): the
/// invitation exists, it is its state that forbids the change.
pub(crate) fn revoke_error(e: helium_domain::DomainError) -> ApiError {
    let mut api = ApiError::from(e);
    if api.code == helium_domain::ErrorCode::InvitationUsed {
        api.status = StatusCode::CONFLICT;
    }
    api
}

#[utoipa::path(
    post, path = "/api/v1/admin/invitations/accept", operation_id = "adminAcceptInvitation", tag = "admin",
    summary = "Accept an invitation: create the staff account",
    request_body = AcceptInvitationRequest,
    responses(
        (status = 201, description = "Account created; sign in with adminLogin", body = Admin),
        (status = 409, description = "admin_email_taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 410, description = "invitation_used, invitation_expired, link_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_accept_invitation(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<AcceptInvitationRequest>,
) -> Result<(StatusCode, Json<Admin>), ApiError> {
    let cmd = TokenPassword::new(&req.token, &req.password, "password")?;
    let admin = state.admin.invitations.accept(&cmd).await?;
    Ok((StatusCode::CREATED, Json(admin.into())))
}
