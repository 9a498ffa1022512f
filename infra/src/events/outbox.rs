//! The transactional outbox: `append` inside the state change's transaction; the relay reads
//! unpublished rows with `FOR UPDATE SKIP LOCKED` so several relays never double-publish.

use chrono::{DateTime, Utc};
use helium_domain::events::Event;
use sqlx::PgConnection;

use crate::db::ex;
use uuid::Uuid;

/// Writes `event` in the caller's transaction: it exists if and only if the change commits.
/// The current trace context (if traces are exported) goes with it.
pub async fn append(c: &mut PgConnection, event: &Event) -> crate::db::DbResult<()> {
    append_all(c, std::slice::from_ref(event)).await
}

/// [`append`] for several events of one change, in one statement.
pub async fn append_all(c: &mut PgConnection, events: &[Event]) -> crate::db::DbResult<()> {
    let trace_parent = crate::trace::current_traceparent();
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    let aggregates: Vec<&str> = events.iter().map(|e| e.aggregate_id.as_str()).collect();
    let at: Vec<DateTime<Utc>> = events.iter().map(|e| e.occurred_at).collect();
    let versions: Vec<i32> = events.iter().map(|e| e.schema_version).collect();
    let payloads: Vec<serde_json::Value> = events.iter().map(|e| e.payload.clone()).collect();
    sqlx::query!(
        r#"INSERT INTO outbox (id, event_type, aggregate_id, occurred_at, schema_version, payload, trace_parent)
           SELECT id, event_type, aggregate_id, occurred_at, schema_version, payload, $7
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int4[], $6::jsonb[])
                  AS t(id, event_type, aggregate_id, occurred_at, schema_version, payload)"#,
        &ids,
        &types as &[&str],
        &aggregates as &[&str],
        &at,
        &versions,
        &payloads,
        trace_parent
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Locks and returns up to `limit` unpublished events, oldest first, skipping rows another
/// relay holds.
pub async fn lock_batch(tx: &mut PgConnection, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    Ok(lock_batch_traced(tx, limit).await?.into_iter().map(|(event, _)| event).collect())
}

/// [`lock_batch`] with each event's `traceparent` (None when it was written untraced).
pub async fn lock_batch_traced(tx: &mut PgConnection, limit: i64) -> Result<Vec<(Event, Option<String>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, event_type, aggregate_id, occurred_at, schema_version, payload, trace_parent FROM outbox
           WHERE published_at IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED"#,
        limit
    )
    .fetch_all(ex(tx))
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let event = Event {
                id: r.id,
                event_type: r.event_type,
                aggregate_id: r.aggregate_id,
                occurred_at: r.occurred_at,
                schema_version: r.schema_version,
                payload: r.payload,
            };
            (event, r.trace_parent)
        })
        .collect())
}

pub async fn mark_published(tx: &mut PgConnection, ids: &[Uuid]) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query!(r#"UPDATE outbox SET published_at = now() WHERE id = ANY($1)"#, ids).execute(ex(tx)).await?;
    Ok(done.rows_affected())
}

/// When the oldest unpublished event occurred (None when all are published).
pub async fn oldest_unpublished(c: &mut PgConnection) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT min(occurred_at) FROM outbox WHERE published_at IS NULL"#).fetch_one(ex(c)).await
}

pub async fn unpublished_count(c: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM outbox WHERE published_at IS NULL"#).fetch_one(ex(c)).await
}

/// Cron: drops published rows older than `days`, in bounded batches.
pub async fn purge_published(c: &mut PgConnection, days: i32, batch: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
           WHERE published_at < now() - make_interval(days => $1) LIMIT $2)"#,
        days,
        batch
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected())
}

/// Cron: drops published events of `event_type` older than `minutes` (e-mail requests go
/// within the hour: even sealed, their secrets need not outlive delivery).
pub async fn purge_published_of(
    c: &mut PgConnection,
    event_type: &str,
    minutes: i32,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
           WHERE event_type = $1 AND published_at < now() - make_interval(mins => $2) LIMIT $3)"#,
        event_type,
        minutes,
        batch
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected())
}

/// Cron: forgets dedupe records old enough that no redelivery can still arrive.
pub async fn purge_inbox(c: &mut PgConnection, days: i32, batch: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM consumer_inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM consumer_inbox
           WHERE processed_at < now() - make_interval(days => $1) LIMIT $2)"#,
        days,
        batch
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected())
}
