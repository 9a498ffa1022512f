//! From outbox event to signed POST. [`Fanout`] (an outbox consumer) writes one delivery per
//! enabled, subscribed endpoint — once per (event, endpoint), however often the event arrives.
//! [`Sender`] claims due deliveries (`FOR UPDATE SKIP LOCKED`, with a lease), signs them with
//! the endpoint's secret (and, during a rotation's grace, the previous one too), POSTs them
//! through the SSRF-safe client without holding a database connection, and records each
//! attempt: 2xx delivers; anything else waits for the next step of the schedule, then fails.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::Utc;
use helium_domain::events::Event;
use helium_domain::notify::webhooks::{
    DeliveryStatus, EVENT_TYPES, excerpt, next_delay, secret_key, signature_header, subscribed,
};
use sqlx::PgConnection;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::WebhookContext;
use super::endpoints::{message_body, message_id};
use super::store::{self, Claimed, NewDelivery, Outcome};
use crate::events::consumer::{Handler, HandlerError};
use crate::notify::outbound::OutboundError;

/// Deliveries taken per round.
const BATCH: i64 = 32;
/// A claimed delivery is not taken again for this long (longer than one call may last).
const LEASE_SECS: f64 = 60.0;

pub struct Fanout(pub Arc<WebhookContext>);

#[async_trait::async_trait]
impl Handler for Fanout {
    fn name(&self) -> &'static str {
        "notify_webhooks"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &EVENT_TYPES
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        fan_out(tx, event).await
    }
}

/// One delivery per enabled endpoint subscribed to the event's type.
pub async fn fan_out(tx: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
    let body = message_body(&event.event_type, event.occurred_at, &event.payload);
    for (endpoint_id, patterns) in store::enabled_subscriptions(tx).await? {
        if !subscribed(&patterns, &event.event_type) {
            continue;
        }
        let id = Uuid::now_v7();
        let msg = message_id(id);
        let d = NewDelivery {
            id,
            endpoint_id,
            event_id: event.id,
            event_type: &event.event_type,
            message_id: &msg,
            body: &body,
        };
        store::insert_delivery(tx, &d).await?;
    }
    Ok(())
}

pub struct Sender(pub Arc<WebhookContext>);

impl Sender {
    /// Sends due deliveries every `poll_interval` until `stop`.
    pub async fn run(self, stop: CancellationToken) -> anyhow::Result<()> {
        let interval = self.0.settings.poll_interval;
        if self.0.settings.allow_loopback {
            tracing::warn!("HELIUM_WEBHOOKS_ALLOW_LOOPBACK is on: webhooks may reach loopback over http (tests only)");
        }
        loop {
            match self.run_once().await {
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook sender round failed; retrying"),
            }
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }

    /// One round: claims due deliveries, sends them concurrently, records the outcomes.
    /// Returns how many were attempted.
    pub async fn run_once(&self) -> Result<usize, helium_domain::DomainError> {
        let ctx = &self.0;
        let claimed = {
            let mut tx = ctx.db.begin().await?;
            let rows = store::claim_due(&mut tx, BATCH, LEASE_SECS).await?;
            let sealer = if rows.is_empty() { None } else { Some(ctx.keys.sealer(&mut tx).await?) };
            tx.commit().await.map_err(crate::db::DbError::from)?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let keys = sealer.as_ref().map(|s| signing_keys(s, &row)).unwrap_or_default();
                out.push((row, keys));
            }
            out
        };
        let n = claimed.len();
        let sends = claimed.into_iter().map(|(row, keys)| self.attempt(row, keys));
        for result in futures::future::join_all(sends).await {
            if let Err(e) = result {
                tracing::warn!(error = %e, "recording a webhook attempt failed; it will be tried again");
            }
        }
        Ok(n)
    }

    async fn attempt(&self, row: Claimed, keys: Vec<Vec<u8>>) -> Result<(), helium_domain::DomainError> {
        let ctx = &self.0;
        let attempted_at = Utc::now();
        let timestamp = attempted_at.timestamp();
        let (result, signature) = if keys.is_empty() {
            (Err(OutboundError::Failed("the endpoint secret could not be opened".into())), String::new())
        } else {
            let signature = signature_header(&keys, &row.message_id, timestamp, &row.body);
            let headers = [
                ("webhook-id", row.message_id.clone()),
                ("webhook-timestamp", timestamp.to_string()),
                ("webhook-signature", signature.clone()),
                ("content-type", "application/json".to_owned()),
            ];
            (ctx.outbound.post(&row.url, &headers, row.body.clone()).await, signature)
        };
        let attempt = row.attempts + 1;
        let failed_in_series = u32::try_from(attempt - row.series_start).unwrap_or(u32::MAX);
        // What a careless receiver might echo back: our signatures and the secrets themselves.
        let secrets: Vec<String> = keys.iter().map(|k| base64::engine::general_purpose::STANDARD.encode(k)).collect();
        let mut sent: Vec<&str> = signature.split(' ').collect();
        sent.extend(secrets.iter().map(String::as_str));
        let (status_code, latency, excerpt_text, error, ok) = match &result {
            Ok(r) => {
                let ok = (200..300).contains(&r.status);
                let err = (!ok).then(|| format!("http status {}", r.status));
                (Some(i32::from(r.status)), r.latency, Some(excerpt(&r.body, &sent)), err, ok)
            }
            Err(e) => {
                (None, (Utc::now() - attempted_at).to_std().unwrap_or_default(), None, Some(e.to_string()), false)
            }
        };
        let (status, retry_in) = if ok {
            (DeliveryStatus::Delivered, None)
        } else {
            match next_delay(&ctx.settings.retry_schedule, failed_in_series) {
                Some(d) => (DeliveryStatus::Pending, Some(d)),
                None => (DeliveryStatus::Failed, None),
            }
        };
        let outcome = Outcome {
            attempt,
            attempted_at,
            status_code,
            latency_ms: i32::try_from(latency.as_millis()).unwrap_or(i32::MAX),
            excerpt: excerpt_text.as_deref().filter(|e| !e.is_empty()),
            error: error.as_deref(),
            status,
            retry_in_secs: retry_in.map(|d: Duration| d.as_secs_f64()),
        };
        tracing::info!(
            delivery_id = %row.id, endpoint_id = %row.endpoint_id, attempt, status = status.as_str(),
            http_status = status_code, "webhook attempt"
        );
        let mut tx = ctx.db.begin().await?;
        store::record(&mut tx, row.id, &outcome).await?;
        tx.commit().await.map_err(crate::db::DbError::from)?;
        Ok(())
    }
}

/// The keys that sign now: the current secret, then the previous one while its grace lasts.
fn signing_keys(sealer: &crate::identity::seal::Sealer, row: &Claimed) -> Vec<Vec<u8>> {
    let open = |sealed: &str| {
        sealer
            .open(sealed, row.endpoint_id.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| secret_key(&s))
    };
    let mut keys = Vec::with_capacity(2);
    match open(&row.secret_sealed) {
        Some(k) => keys.push(k),
        None => {
            tracing::error!(endpoint_id = %row.endpoint_id, "a webhook secret does not open with the data key");
            return Vec::new();
        }
    }
    if let (Some(prev), Some(until)) = (&row.previous_secret_sealed, row.previous_expires_at)
        && until > Utc::now()
        && let Some(k) = open(prev)
    {
        keys.push(k);
    }
    keys
}
