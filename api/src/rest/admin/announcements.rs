//! Announcements for staff (tag `notify`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::DomainError;
use helium_domain::notify::announcements::{self as m, AnnouncementFields, AnnouncementInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::state::AppState;

/// An announcement as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAnnouncement {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// Customer groups it targets; empty = everyone.
    pub group_ids: Vec<Uuid>,
    pub pinned: bool,
    pub priority: i32,
    pub publish_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// E-mail it to the targeted customers once published.
    pub email: bool,
    /// `marketing` or `service`: the preference that decides who gets the e-mail.
    pub email_category: String,
    /// When the e-mail fan-out finished.
    pub emailed_at: Option<DateTime<Utc>>,
    /// Live for customers now.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<m::Announcement> for AdminAnnouncement {
    fn from(a: m::Announcement) -> Self {
        Self {
            active: a.live_at(Utc::now()),
            id: a.id,
            title: a.title,
            body: a.body,
            group_ids: a.group_ids,
            pinned: a.pinned,
            priority: a.priority,
            publish_at: a.publish_at,
            expires_at: a.expires_at,
            email: a.email,
            email_category: a.email_category.as_str().to_owned(),
            emailed_at: a.emailed_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAnnouncementPage {
    pub items: Vec<AdminAnnouncement>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAnnouncementRequest {
    /// 1–200 characters.
    pub title: String,
    /// Plain text, 1–20 000 characters.
    pub body: String,
    /// Empty = everyone.
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
    #[serde(default)]
    pub pinned: bool,
    /// 0–100, higher first.
    #[serde(default)]
    pub priority: i64,
    /// Default: now.
    pub publish_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// E-mail it to the targeted customers when published (once).
    #[serde(default)]
    pub email: bool,
    /// `marketing` (default) or `service`.
    pub email_category: Option<String>,
}

/// Absent fields are unchanged; `expires_at: null` removes the end.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAnnouncementRequest {
    pub title: Option<String>,
    pub body: Option<String>,
    pub group_ids: Option<Vec<Uuid>>,
    pub pinned: Option<bool>,
    pub priority: Option<i64>,
    pub publish_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub email: Option<bool>,
    pub email_category: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnnouncementQuery {
    /// Only those live now (`true`) or not (`false`).
    pub active: Option<bool>,
    /// Only those targeting this group.
    pub group_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

const PROBLEM: &str = "application/problem+json";

/// A create request validated (REST and gRPC).
pub fn create_input(req: &CreateAnnouncementRequest) -> Result<AnnouncementInput, DomainError> {
    let now = Utc::now();
    AnnouncementInput::new(&AnnouncementFields {
        title: &req.title,
        body: &req.body,
        group_ids: &req.group_ids,
        pinned: req.pinned,
        priority: req.priority,
        // Stored as given or as this instant, so the window is checked against what is stored.
        publish_at: Some(req.publish_at.unwrap_or(now)),
        expires_at: req.expires_at,
        email: req.email,
        email_category: req.email_category.as_deref(),
        now,
    })
}

/// An update merged over the stored announcement, validated as a whole (REST and gRPC).
pub fn update_input(now: &m::Announcement, req: &UpdateAnnouncementRequest) -> Result<AnnouncementInput, DomainError> {
    AnnouncementInput::new(&AnnouncementFields {
        title: req.title.as_deref().unwrap_or(&now.title),
        body: req.body.as_deref().unwrap_or(&now.body),
        group_ids: req.group_ids.as_deref().unwrap_or(&now.group_ids),
        pinned: req.pinned.unwrap_or(now.pinned),
        priority: req.priority.unwrap_or(i64::from(now.priority)),
        publish_at: Some(req.publish_at.unwrap_or(now.publish_at)),
        expires_at: req.expires_at.unwrap_or(now.expires_at),
        email: req.email.unwrap_or(now.email),
        email_category: Some(req.email_category.as_deref().unwrap_or(now.email_category.as_str())),
        now: Utc::now(),
    })
}

#[utoipa::path(
    get, path = "/api/v1/admin/announcements", operation_id = "adminListAnnouncements", tag = "notify",
    summary = "Announcements, newest first",
    params(AnnouncementQuery),
    responses((status = 200, description = "One page", body = AdminAnnouncementPage))
)]
pub async fn admin_list_announcements(
    State(state): State<AppState>,
    Query(q): Query<AnnouncementQuery>,
) -> Result<Json<AdminAnnouncementPage>, ApiError> {
    let page = state.notify.announcements.list(q.active, q.group_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AdminAnnouncementPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/announcements", operation_id = "adminCreateAnnouncement", tag = "notify",
    summary = "Publish an announcement",
    description = "Audited. With `email`, the targeted customers who did not turn the category off are e-mailed in batches once it is published.",
    request_body = CreateAnnouncementRequest,
    responses(
        (status = 201, description = "Created", body = AdminAnnouncement),
        (status = 422, description = "validation_failed (`invalid_reference` for an unknown group)", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_create_announcement(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<CreateAnnouncementRequest>,
) -> Result<(StatusCode, Json<AdminAnnouncement>), ApiError> {
    let input = create_input(&req)?;
    Ok((StatusCode::CREATED, Json(state.notify.announcements.create(&a.actor, &input).await?.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/announcements/{id}", operation_id = "adminGetAnnouncement", tag = "notify",
    summary = "One announcement",
    params(("id" = Uuid, Path, description = "Announcement id")),
    responses(
        (status = 200, description = "The announcement", body = AdminAnnouncement),
        (status = 404, description = "not_found", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_get_announcement(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<AdminAnnouncement>, ApiError> {
    Ok(Json(state.notify.announcements.get(id).await?.into()))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/announcements/{id}", operation_id = "adminUpdateAnnouncement", tag = "notify",
    summary = "Change an announcement",
    description = "Audited. An e-mail already sent is not sent again.",
    params(("id" = Uuid, Path, description = "Announcement id")),
    request_body = UpdateAnnouncementRequest,
    responses(
        (status = 200, description = "Updated", body = AdminAnnouncement),
        (status = 404, description = "not_found", body = ProblemBody, content_type = PROBLEM),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_update_announcement(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<UpdateAnnouncementRequest>,
) -> Result<Json<AdminAnnouncement>, ApiError> {
    let now = state.notify.announcements.get(id).await?;
    let input = update_input(&now, &req)?;
    Ok(Json(state.notify.announcements.update(&a.actor, id, &input).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/announcements/{id}", operation_id = "adminDeleteAnnouncement", tag = "notify",
    summary = "Delete an announcement",
    description = "Audited.",
    params(("id" = Uuid, Path, description = "Announcement id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "not_found", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_delete_announcement(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.notify.announcements.delete(&a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
