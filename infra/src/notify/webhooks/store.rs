//! `notify.webhook_endpoints`, `notify.webhook_deliveries`, `notify.webhook_attempts`. The
//! sealed secrets never leave this module inside an [`Endpoint`]: only [`Claimed`] and
//! [`sealed_secret`] carry them, to the sender and the rotation.

use chrono::{DateTime, Utc};
use helium_domain::notify::webhooks::{DeliveryStatus, EndpointPatch, NewEndpoint};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// An endpoint as staff see it (no secret).
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// When the previous secret stops signing (a rotation's grace), if it still does.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub secret_rotated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub message_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub delivery_id: Uuid,
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

/// A delivery taken for one attempt, with what signing needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub url: String,
    pub message_id: String,
    pub body: String,
    pub attempts: i32,
    pub series_start: i32,
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_expires_at: Option<DateTime<Utc>>,
}

/// A delivery to insert.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_type: &'a str,
    pub message_id: &'a str,
    pub body: &'a str,
}

/// What one attempt ended with.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub excerpt: Option<&'a str>,
    pub error: Option<&'a str>,
    pub status: DeliveryStatus,
    /// Seconds until the next try (pending only).
    pub retry_in_secs: Option<f64>,
}

struct DeliveryRow {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    event_type: String,
    message_id: String,
    status: String,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        Delivery {
            id: r.id,
            endpoint_id: r.endpoint_id,
            event_id: r.event_id,
            event_type: r.event_type,
            message_id: r.message_id,
            status: DeliveryStatus::parse(&r.status).unwrap_or(DeliveryStatus::Failed),
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_attempt_at: r.last_attempt_at,
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
            created_at: r.created_at,
        }
    }
}

pub async fn insert_endpoint(c: &mut PgConnection, id: Uuid, e: &NewEndpoint, sealed: &str) -> DbResult<Endpoint> {
    Ok(sqlx::query_as!(
        Endpoint,
        r#"INSERT INTO notify.webhook_endpoints (id, url, description, event_types, enabled, secret_sealed)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, url, description, event_types, enabled, previous_expires_at AS previous_secret_expires_at,
                     secret_rotated_at, created_at, updated_at"#,
        id,
        e.url,
        e.description,
        &e.event_types,
        e.enabled,
        sealed
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn endpoint(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Endpoint>> {
    Ok(sqlx::query_as!(
        Endpoint,
        r#"SELECT id, url, description, event_types, enabled,
                  CASE WHEN previous_expires_at > now() THEN previous_expires_at END AS previous_secret_expires_at,
                  secret_rotated_at, created_at, updated_at
             FROM notify.webhook_endpoints WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn endpoints(
    c: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Endpoint>> {
    let (at, id) = after.map_or((None, None), |(t, i)| (Some(t), Some(i)));
    Ok(sqlx::query_as!(
        Endpoint,
        r#"SELECT id, url, description, event_types, enabled,
                  CASE WHEN previous_expires_at > now() THEN previous_expires_at END AS previous_secret_expires_at,
                  secret_rotated_at, created_at, updated_at
             FROM notify.webhook_endpoints
            WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $3"#,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Enabled endpoints and their subscriptions (the fan-out matches them).
pub async fn enabled_subscriptions(c: &mut PgConnection) -> DbResult<Vec<(Uuid, Vec<String>)>> {
    let rows = sqlx::query!("SELECT id, event_types FROM notify.webhook_endpoints WHERE enabled ORDER BY id")
        .fetch_all(ex(c))
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.event_types)).collect())
}

pub async fn update_endpoint(c: &mut PgConnection, id: Uuid, p: &EndpointPatch) -> DbResult<Option<Endpoint>> {
    Ok(sqlx::query_as!(
        Endpoint,
        r#"UPDATE notify.webhook_endpoints
              SET url = COALESCE($2, url),
                  description = CASE WHEN $3 THEN $4 ELSE description END,
                  event_types = COALESCE($5, event_types),
                  enabled = COALESCE($6, enabled),
                  updated_at = now()
            WHERE id = $1
        RETURNING id, url, description, event_types, enabled,
                  CASE WHEN previous_expires_at > now() THEN previous_expires_at END AS previous_secret_expires_at,
                  secret_rotated_at, created_at, updated_at"#,
        id,
        p.url,
        p.description.is_some(),
        p.description.clone().flatten(),
        p.event_types.as_deref(),
        p.enabled
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn delete_endpoint(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!("DELETE FROM notify.webhook_endpoints WHERE id = $1", id).execute(ex(c)).await?;
    Ok(done.rows_affected() == 1)
}

/// The current sealed secret, the endpoint row locked (a rotation reads, then replaces it).
pub async fn sealed_secret(c: &mut PgConnection, id: Uuid) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar!("SELECT secret_sealed FROM notify.webhook_endpoints WHERE id = $1 FOR UPDATE", id)
        .fetch_optional(ex(c))
        .await?)
}

/// Installs a new secret; the old one signs for `grace_secs` more (none when 0).
pub async fn rotate(
    c: &mut PgConnection,
    id: Uuid,
    new_sealed: &str,
    previous_sealed: Option<&str>,
    grace_secs: i64,
) -> DbResult<Option<Endpoint>> {
    Ok(sqlx::query_as!(
        Endpoint,
        r#"UPDATE notify.webhook_endpoints
              SET previous_secret_sealed = $3,
                  previous_expires_at = CASE WHEN $3::text IS NULL THEN NULL
                                             ELSE now() + make_interval(secs => $4::bigint::float8) END,
                  secret_sealed = $2, secret_rotated_at = now(), updated_at = now()
            WHERE id = $1
        RETURNING id, url, description, event_types, enabled,
                  CASE WHEN previous_expires_at > now() THEN previous_expires_at END AS previous_secret_expires_at,
                  secret_rotated_at, created_at, updated_at"#,
        id,
        new_sealed,
        previous_sealed,
        grace_secs
    )
    .fetch_optional(ex(c))
    .await?)
}

/// `false` when this (event, endpoint) already has its delivery.
pub async fn insert_delivery(c: &mut PgConnection, d: &NewDelivery<'_>) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO notify.webhook_deliveries (id, endpoint_id, event_id, event_type, message_id, body, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, now())
           ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING"#,
        d.id,
        d.endpoint_id,
        d.event_id,
        d.event_type,
        d.message_id,
        d.body
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delivery(c: &mut PgConnection, endpoint_id: Uuid, id: Uuid) -> DbResult<Option<Delivery>> {
    Ok(sqlx::query_as!(
        DeliveryRow,
        r#"SELECT id, endpoint_id, event_id, event_type, message_id, status, attempts, next_attempt_at, last_attempt_at,
                  last_status_code, last_error, delivered_at, created_at
             FROM notify.webhook_deliveries WHERE id = $1 AND endpoint_id = $2"#,
        id,
        endpoint_id
    )
    .fetch_optional(ex(c))
    .await?
    .map(Into::into))
}

pub async fn deliveries(
    c: &mut PgConnection,
    endpoint_id: Uuid,
    status: Option<DeliveryStatus>,
    event_type: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Delivery>> {
    let (at, id) = after.map_or((None, None), |(t, i)| (Some(t), Some(i)));
    let rows = sqlx::query_as!(
        DeliveryRow,
        r#"SELECT id, endpoint_id, event_id, event_type, message_id, status, attempts, next_attempt_at, last_attempt_at,
                  last_status_code, last_error, delivered_at, created_at
             FROM notify.webhook_deliveries
            WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR event_type = $3)
              AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $6"#,
        endpoint_id,
        status.map(DeliveryStatus::as_str),
        event_type,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The attempts of these deliveries, oldest first.
pub async fn attempts(c: &mut PgConnection, delivery_ids: &[Uuid]) -> DbResult<Vec<Attempt>> {
    Ok(sqlx::query_as!(
        Attempt,
        r#"SELECT delivery_id, attempt, attempted_at, status_code, latency_ms, response_excerpt, error
             FROM notify.webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt"#,
        delivery_ids
    )
    .fetch_all(ex(c))
    .await?)
}

/// Due now, whatever its state: a new back-off series starts with this attempt.
pub async fn requeue(c: &mut PgConnection, endpoint_id: Uuid, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE notify.webhook_deliveries
              SET status = 'pending', next_attempt_at = now(), series_start = attempts, updated_at = now()
            WHERE id = $1 AND endpoint_id = $2"#,
        id,
        endpoint_id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes up to `limit` due deliveries of enabled endpoints, skipping rows another sender holds,
/// and pushes their next try `lease_secs` ahead so a sender that dies mid-attempt loses nothing.
pub async fn claim_due(c: &mut PgConnection, limit: i64, lease_secs: f64) -> DbResult<Vec<Claimed>> {
    Ok(sqlx::query_as!(
        Claimed,
        r#"WITH due AS (
               SELECT d.id FROM notify.webhook_deliveries d
                 JOIN notify.webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
                ORDER BY d.next_attempt_at LIMIT $1
                  FOR UPDATE OF d SKIP LOCKED)
           UPDATE notify.webhook_deliveries d
              SET next_attempt_at = now() + make_interval(secs => $2)
             FROM due, notify.webhook_endpoints e
            WHERE d.id = due.id AND e.id = d.endpoint_id
        RETURNING d.id AS "id!", d.endpoint_id AS "endpoint_id!", e.url AS "url!", d.message_id AS "message_id!",
                  d.body AS "body!", d.attempts AS "attempts!", d.series_start AS "series_start!",
                  e.secret_sealed AS "secret_sealed!", e.previous_secret_sealed AS "previous_secret_sealed?",
                  e.previous_expires_at AS "previous_expires_at?""#,
        limit,
        lease_secs
    )
    .fetch_all(ex(c))
    .await?)
}

/// Records an attempt and its effect on the delivery; `false` (nothing written) when the
/// delivery moved on meanwhile (another sender recorded this attempt number).
pub async fn record(c: &mut PgConnection, id: Uuid, o: &Outcome<'_>) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE notify.webhook_deliveries
              SET attempts = $2, status = $3,
                  next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + make_interval(secs => $4) END,
                  last_attempt_at = $5, last_status_code = $6, last_error = $7,
                  delivered_at = CASE WHEN $3 = 'delivered' THEN $5 ELSE delivered_at END,
                  updated_at = now()
            WHERE id = $1 AND attempts = $2 - 1"#,
        id,
        o.attempt,
        o.status.as_str(),
        o.retry_in_secs.unwrap_or(0.0),
        o.attempted_at,
        o.status_code,
        o.error
    )
    .execute(ex(c))
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query!(
        r#"INSERT INTO notify.webhook_attempts
               (id, delivery_id, attempt, attempted_at, status_code, latency_ms, response_excerpt, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        Uuid::now_v7(),
        id,
        o.attempt,
        o.attempted_at,
        o.status_code,
        o.latency_ms,
        o.excerpt,
        o.error
    )
    .execute(ex(c))
    .await?;
    Ok(true)
}
