//! Announcements for me, my notification preferences, one-click unsubscribe (tag `notify`).

use axum::Json;
use axum::extract::{Path, Query, State};
use helium_domain::auth::commands::token_only;
use helium_domain::notify::preferences::preference_changes;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::rest::shop::dto::PageQuery;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/announcements", operation_id = "listAnnouncements", tag = "notify",
    summary = "Announcements for me",
    description = "Those for everyone and for my groups, live now: pinned first, then priority, then newest.",
    security(("customerBearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "One page", body = AnnouncementPage))
)]
pub async fn list_announcements(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<PageQuery>,
) -> Result<Json<AnnouncementPage>, ApiError> {
    let page = state.notify.announcements.feed(me.user_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AnnouncementPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    get, path = "/api/v1/announcements/{id}", operation_id = "getAnnouncement", tag = "notify",
    summary = "One announcement for me",
    description = "Another group's announcement, or one not live now, is 404 like an unknown id.",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Announcement id")),
    responses(
        (status = 200, description = "The announcement", body = Announcement),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get_announcement(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<Announcement>, ApiError> {
    Ok(Json(state.notify.announcements.visible(me.user_id, id).await?.into()))
}

#[utoipa::path(
    get, path = "/api/v1/notification-preferences", operation_id = "getNotificationPreferences", tag = "notify",
    summary = "My e-mail preferences",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Every category", body = NotificationPreferences))
)]
pub async fn get_notification_preferences(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<NotificationPreferences>, ApiError> {
    Ok(Json(NotificationPreferences::new(state.notify.preferences.get(me.user_id).await?)))
}

#[utoipa::path(
    patch, path = "/api/v1/notification-preferences", operation_id = "updateNotificationPreferences", tag = "notify",
    summary = "Change my e-mail preferences",
    security(("customerBearer" = [])),
    request_body = UpdateNotificationPreferencesRequest,
    responses(
        (status = 200, description = "Every category now", body = NotificationPreferences),
        (status = 422, description = "preference_locked; validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn update_notification_preferences(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<UpdateNotificationPreferencesRequest>,
) -> Result<Json<NotificationPreferences>, ApiError> {
    let changes = preference_changes(&req.changes())?;
    Ok(Json(NotificationPreferences::new(state.notify.preferences.update(me.user_id, &changes).await?)))
}

#[utoipa::path(
    post, path = "/api/v1/notification-preferences/unsubscribe", operation_id = "unsubscribeOneClick", tag = "notify",
    summary = "One-click unsubscribe (RFC 8058)",
    description = "The target of an e-mail's `List-Unsubscribe` header: turns that e-mail's category off for its recipient, without signing in. Any body is accepted and ignored (mail clients send `List-Unsubscribe=One-Click`). Security e-mails have no such link.",
    security(()),
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "The category is off", body = Unsubscribed),
        (status = 410, description = "link_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn unsubscribe_one_click(
    State(state): State<AppState>,
    Query(q): Query<UnsubscribeQuery>,
) -> Result<Json<Unsubscribed>, ApiError> {
    let token = token_only("token", &q.token)?;
    let category = state.notify.preferences.unsubscribe(&token).await?;
    Ok(Json(Unsubscribed { category: category.as_str().to_owned(), email: false }))
}
