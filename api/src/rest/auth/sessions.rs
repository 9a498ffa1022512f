//! My sessions and signing out (tag `auth`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/auth/sessions", operation_id = "listSessions", tag = "auth",
    summary = "List my signed-in sessions",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Live sessions, most recently used first", body = SessionPage))
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<SessionPage>, ApiError> {
    let items = state
        .auth
        .sessions
        .list(me.user_id)
        .await?
        .into_iter()
        .map(|s| {
            let current = s.id == me.session_id;
            Session { current, ..s.into() }
        })
        .collect();
    Ok(Json(SessionPage { items, next_cursor: None }))
}

#[utoipa::path(
    delete, path = "/api/v1/auth/sessions/{id}", operation_id = "revokeSession", tag = "auth",
    summary = "Sign out one of my sessions",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Revoked; its tokens stop working at once"),
        (status = 404, description = "not_found (also another user's session)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_session(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.auth.sessions.revoke(me.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "auth",
    summary = "Sign out this session",
    security(("customerBearer" = [])),
    responses((status = 204, description = "Signed out"))
)]
pub async fn logout(State(state): State<AppState>, Customer(me): Customer) -> Result<StatusCode, ApiError> {
    match state.auth.sessions.revoke(me.user_id, me.session_id).await {
        // Ended concurrently (another logout, logout-all): signing out is idempotent.
        Err(e) if e.code() == helium_domain::ErrorCode::NotFound => Ok(StatusCode::NO_CONTENT),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(StatusCode::NO_CONTENT),
    }
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout-all", operation_id = "logoutAll", tag = "auth",
    summary = "Sign out everywhere",
    description = "Revokes every session and every access token already issued.",
    security(("customerBearer" = [])),
    responses((status = 204, description = "Every session ended"))
)]
pub async fn logout_all(State(state): State<AppState>, Customer(me): Customer) -> Result<StatusCode, ApiError> {
    state.auth.sessions.logout_all(me.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
