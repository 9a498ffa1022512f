//! Outgoing webhook endpoints and their deliveries, for SuperAdmins (tag `webhooks`,
//! permission `webhooks.manage`, human sessions only). The signing secret appears in two
//! answers only — create and rotate — and never in a log or the audit trail.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helium_domain::events::types;
use helium_domain::notify::webhooks::{DeliveryStatus, EVENT_TYPES, EndpointPatch, NewEndpoint};
use helium_domain::{DomainError, ErrorCode};
use helium_infra::notify::webhooks::endpoints::DeliveryView;
use helium_infra::notify::webhooks::store::{Attempt, Endpoint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::{JsonBody, parse_body};
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::state::AppState;

/// An outgoing webhook endpoint. The secret is never shown here.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// Event types (`order.paid`), `<domain>.*` wildcards (`ticket.*`) or `*` (every type).
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// While set, the previous secret signs too (a rotation's grace).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub secret_rotated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Endpoint> for WebhookEndpoint {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            description: e.description,
            event_types: e.event_types,
            enabled: e.enabled,
            previous_secret_expires_at: e.previous_secret_expires_at,
            secret_rotated_at: e.secret_rotated_at,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A new endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointCreated {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_<base64>`: keep it now, it is never shown again.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointPage {
    pub items: Vec<WebhookEndpoint>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointCreateRequest {
    /// An https URL with a public host (checked again after DNS at every send).
    pub url: String,
    pub description: Option<String>,
    /// 1–32 entries: known event types, `<domain>.*` or `*`.
    pub event_types: Vec<String>,
    /// Default true.
    pub enabled: Option<bool>,
}

/// PATCH: an absent field is unchanged, `description: null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointUpdateRequest {
    pub url: Option<String>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateWebhookSecretRequest {
    /// How long the previous secret keeps signing: 0–604800 s, default 86400.
    pub grace_secs: Option<i64>,
}

/// The new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSecret {
    pub secret: String,
    /// Until then the previous secret signs too; null when the grace is 0.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryQueued {
    pub delivery_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttempt {
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; null when no answer came (refused address, timeout…).
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// At most 1 KiB of the answer.
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

impl From<Attempt> for WebhookAttempt {
    fn from(a: Attempt) -> Self {
        Self {
            attempt: a.attempt,
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_excerpt: a.response_excerpt,
            error: a.error,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `webhook-id`: the same on every attempt.
    pub message_id: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<WebhookAttempt>,
}

impl From<DeliveryView> for WebhookDelivery {
    fn from(v: DeliveryView) -> Self {
        let d = v.delivery;
        Self {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            event_type: d.event_type,
            message_id: d.message_id,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
            attempt_log: v.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryPage {
    pub items: Vec<WebhookDelivery>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookDeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// An event type, e.g. `order.paid` or `webhook.test`.
    pub event_type: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

// ---- shared by REST and gRPC ---------------------------------------------------------------

/// The `status` filter of a delivery list.
pub fn status_filter(raw: Option<String>) -> Result<Option<DeliveryStatus>, ApiError> {
    params::present(raw)
        .map(|s| {
            DeliveryStatus::parse(s.trim())
                .ok_or_else(|| DomainError::field("status", "invalid_enum", "pending, delivered or failed").into())
        })
        .transpose()
}

/// The `event_type` filter of a delivery list.
pub fn event_type_filter(raw: Option<String>) -> Result<Option<String>, ApiError> {
    params::present(raw)
        .map(|s| {
            let s = s.trim();
            if EVENT_TYPES.contains(&s) || s == types::WEBHOOK_TEST {
                Ok(s.to_owned())
            } else {
                Err(DomainError::field("event_type", "invalid_enum", "a known event type").into())
            }
        })
        .transpose()
}

// ---- handlers ------------------------------------------------------------------------------

#[utoipa::path(
    get, path = "/api/v1/admin/webhook-endpoints", operation_id = "adminListWebhookEndpoints", tag = "webhooks",
    summary = "Outgoing webhook endpoints, newest first",
    params(PageQuery),
    responses((status = 200, description = "One page of endpoints", body = WebhookEndpointPage))
)]
pub async fn admin_list_webhook_endpoints(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<WebhookEndpointPage>, ApiError> {
    let cursor = params::present(q.cursor);
    let page = state.webhooks.endpoints.list(cursor.as_deref(), q.limit).await?;
    Ok(Json(WebhookEndpointPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/webhook-endpoints", operation_id = "adminCreateWebhookEndpoint", tag = "webhooks",
    summary = "Add an outgoing webhook endpoint (its secret is shown once)",
    description = "The URL must be https with a public host: plain http, `localhost`, credentials in the URL and literal loopback, private, link-local, ULA, CGNAT or mapped addresses are 422 url_not_allowed naming `url`. Names are checked again after DNS at every send.",
    request_body = WebhookEndpointCreateRequest,
    responses(
        (status = 201, description = "The endpoint with its secret, shown this once", body = WebhookEndpointCreated,
            headers(("Location" = String, description = "/api/v1/admin/webhook-endpoints/{id}"))),
        (status = 422, description = "url_not_allowed, validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_create_webhook_endpoint(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<WebhookEndpointCreateRequest>,
) -> Result<Response, ApiError> {
    let cmd = NewEndpoint::new(
        &req.url,
        req.description.as_deref(),
        &req.event_types,
        req.enabled.unwrap_or(true),
        state.webhooks.endpoints.allow_loopback(),
    )?;
    let (e, secret) = state.webhooks.endpoints.create(&a.actor, &cmd).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/admin/webhook-endpoints/{}", e.id))
        .map_err(|_| ApiError::internal())?;
    let mut res = (StatusCode::CREATED, Json(WebhookEndpointCreated { endpoint: e.into(), secret })).into_response();
    res.headers_mut().insert(header::LOCATION, location);
    Ok(res)
}

#[utoipa::path(
    get, path = "/api/v1/admin/webhook-endpoints/{id}", operation_id = "adminGetWebhookEndpoint", tag = "webhooks",
    summary = "An outgoing webhook endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses((status = 200, description = "The endpoint", body = WebhookEndpoint))
)]
pub async fn admin_get_webhook_endpoint(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    Ok(Json(state.webhooks.endpoints.get(id).await?.into()))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/webhook-endpoints/{id}", operation_id = "adminUpdateWebhookEndpoint", tag = "webhooks",
    summary = "Change an outgoing webhook endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body = WebhookEndpointUpdateRequest,
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint),
        (status = 422, description = "url_not_allowed, validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_webhook_endpoint(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<WebhookEndpointUpdateRequest>,
) -> Result<Json<WebhookEndpoint>, ApiError> {
    let patch = EndpointPatch::new(
        req.url.as_deref(),
        req.description.as_ref().map(|d| d.as_deref()),
        req.event_types.as_deref(),
        req.enabled,
        state.webhooks.endpoints.allow_loopback(),
    )?;
    Ok(Json(state.webhooks.endpoints.update(&a.actor, id, &patch).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/webhook-endpoints/{id}", operation_id = "adminDeleteWebhookEndpoint", tag = "webhooks",
    summary = "Remove an outgoing webhook endpoint with its deliveries",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses((status = 204, description = "Removed"))
)]
pub async fn admin_delete_webhook_endpoint(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.webhooks.endpoints.delete(&a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/admin/webhook-endpoints/{id}/rotate-secret", operation_id = "adminRotateWebhookSecret", tag = "webhooks",
    summary = "Replace the signing secret (the new one is shown once)",
    description = "During `grace_secs` (default 86400, at most 604800; 0 ends it at once) messages carry both signatures, the new one first. The body may be empty.",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    request_body(content = Option<RotateWebhookSecretRequest>),
    responses(
        (status = 200, description = "The new secret, shown this once", body = WebhookSecret),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_rotate_webhook_secret(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookSecret>, ApiError> {
    let req = if body.iter().all(u8::is_ascii_whitespace) {
        RotateWebhookSecretRequest::default()
    } else {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !json {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType, "expected Content-Type: application/json"));
        }
        parse_body::<RotateWebhookSecretRequest>(&body)?
    };
    let (e, secret) = state.webhooks.endpoints.rotate(&a.actor, id, req.grace_secs).await?;
    Ok(Json(WebhookSecret { secret, previous_secret_expires_at: e.previous_secret_expires_at }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/webhook-endpoints/{id}/test", operation_id = "adminSendTestWebhook", tag = "webhooks",
    summary = "Send a `webhook.test` message to this endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses(
        (status = 202, description = "Queued", body = WebhookDeliveryQueued),
        (status = 409, description = "endpoint_disabled", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_send_test_webhook(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<WebhookDeliveryQueued>), ApiError> {
    let delivery_id = state.webhooks.endpoints.send_test(&a.actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(WebhookDeliveryQueued { delivery_id })))
}

#[utoipa::path(
    get, path = "/api/v1/admin/webhook-endpoints/{id}/deliveries", operation_id = "adminListWebhookDeliveries", tag = "webhooks",
    summary = "Deliveries to this endpoint with their attempts, newest first",
    params(("id" = Uuid, Path, description = "Endpoint id"), WebhookDeliveryQuery),
    responses((status = 200, description = "One page of deliveries", body = WebhookDeliveryPage))
)]
pub async fn admin_list_webhook_deliveries(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<WebhookDeliveryQuery>,
) -> Result<Json<WebhookDeliveryPage>, ApiError> {
    let status = status_filter(q.status)?;
    let event_type = event_type_filter(q.event_type)?;
    let cursor = params::present(q.cursor);
    let page =
        state.webhooks.endpoints.deliveries(id, status, event_type.as_deref(), cursor.as_deref(), q.limit).await?;
    Ok(Json(WebhookDeliveryPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/webhook-endpoints/{id}/deliveries/{delivery_id}/retry", operation_id = "adminRetryWebhookDelivery", tag = "webhooks",
    summary = "Send a delivery again now (a new back-off series)",
    params(("id" = Uuid, Path, description = "Endpoint id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "Queued", body = WebhookDeliveryQueued),
        (status = 409, description = "endpoint_disabled", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_retry_webhook_delivery(
    State(state): State<AppState>,
    a: Audited,
    Path((id, delivery_id)): Path<(Uuid, Uuid)>,
) -> Result<(StatusCode, Json<WebhookDeliveryQueued>), ApiError> {
    state.webhooks.endpoints.retry(&a.actor, id, delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(WebhookDeliveryQueued { delivery_id })))
}
