//! Staff API key routes (tag `admin`, permission `api_keys.manage`, human sessions only).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helium_domain::admin::ApiKey as KeyModel;
use helium_domain::admin::commands::NewApiKey;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiKeyListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyCreateRequest {
    /// What the key is for, e.g. `support chatbot`.
    pub name: String,
    /// The key's role: at most the creator's own.
    pub role: String,
    /// Narrows the role to these permissions (each of the role, none human-only); absent,
    /// the key has every permission of its role except the human-only ones.
    pub permissions: Option<Vec<String>>,
    /// When the key stops working; never when absent. Must be in the future.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new key. `key` is shown this once: only its hash is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyCreated {
    pub id: Uuid,
    /// `hel_key_…`: send as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
    pub key: String,
    /// The first 16 characters of the key, as lists show it.
    pub prefix: String,
    pub name: String,
    pub role: String,
    /// The narrowing of the role; null for the whole role (human-only permissions excepted).
    pub permissions: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An API key as lists show it (never the key).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The first 16 characters of the key.
    pub prefix: String,
    pub role: String,
    /// The narrowing of the role; null for the whole role (human-only permissions excepted).
    pub permissions: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<KeyModel> for ApiKey {
    fn from(k: KeyModel) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            role: k.role.as_str().to_owned(),
            permissions: k.permissions,
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// One page of API keys, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyPage {
    pub items: Vec<ApiKey>,
    /// Pass as `cursor` for the next page; null at the end.
    pub next_cursor: Option<String>,
}

#[utoipa::path(
    post, path = "/api/v1/admin/api-keys", operation_id = "adminCreateApiKey", tag = "admin",
    summary = "Create an API key (shown once)",
    description = "The key acts with `role`, narrowed by `permissions` when given. A role above the creator's is 403 role_not_grantable. Each entry of `permissions` must be a known permission of the role and not human-only (admins, invitations, api_keys, config, webhooks): any other is 422 validation_failed naming `permissions[i]`. `expires_at` must be in the future (422).",
    request_body = ApiKeyCreateRequest,
    responses(
        (status = 201, description = "The key, shown this once", body = ApiKeyCreated,
            headers(("Location" = String, description = "/api/v1/admin/api-keys/{id}"))),
        (status = 403, description = "permission_denied, mfa_required, role_not_grantable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_create_api_key(
    State(state): State<AppState>,
    Audited { me, actor }: Audited,
    JsonBody(req): JsonBody<ApiKeyCreateRequest>,
) -> Result<Response, ApiError> {
    if req.permissions.as_ref().is_some_and(|p| p.len() > 64) {
        return Err(ApiError::validation(vec![
            helium_domain::FieldError::new("permissions", "too_long", "at most 64 entries").into(),
        ]));
    }
    let new = NewApiKey::new(&req.name, &req.role, req.permissions.as_deref(), req.expires_at, chrono::Utc::now())?;
    let (row, key) = state.admin.api_keys.create(&me, &actor, &new).await?;
    let location =
        HeaderValue::from_str(&format!("/api/v1/admin/api-keys/{}", row.id)).map_err(|_| ApiError::internal())?;
    let body = ApiKeyCreated {
        id: row.id,
        key,
        prefix: row.prefix,
        name: row.name,
        role: row.role.as_str().to_owned(),
        permissions: row.permissions,
        expires_at: row.expires_at,
        created_at: row.created_at,
    };
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    res.headers_mut().insert(header::LOCATION, location);
    Ok(res)
}

#[utoipa::path(
    get, path = "/api/v1/admin/api-keys", operation_id = "adminListApiKeys", tag = "admin",
    summary = "List API keys (no secrets)",
    description = "Every key, revoked and expired ones included, newest first by `(created_at, id)`.",
    params(ApiKeyListQuery),
    responses(
        (status = 200, description = "One page of keys", body = ApiKeyPage),
        (status = 400, description = "invalid_cursor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (limit)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_api_keys(
    State(state): State<AppState>,
    Query(q): Query<ApiKeyListQuery>,
) -> Result<Json<ApiKeyPage>, ApiError> {
    let page = state.admin.api_keys.page(q.limit, q.cursor.as_deref()).await?;
    Ok(Json(ApiKeyPage { items: page.items.into_iter().map(ApiKey::from).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/api-keys/{id}", operation_id = "adminRevokeApiKey", tag = "admin",
    summary = "Revoke an API key",
    description = "The key stops working at once. Revoking a revoked key changes nothing. A key also stops working when its creator is disabled, deleted or demoted below the key's role.",
    params(("id" = Uuid, Path, description = "API key id")),
    responses(
        (status = 204, description = "Revoked"),
    )
)]
pub async fn admin_revoke_api_key(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.admin.api_keys.revoke(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
