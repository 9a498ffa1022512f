//! Outbox relay: publishes unpublished events to the topic exchange as persistent messages
//! with publisher confirms, and marks rows published only after the broker confirmed them.
//! Rows stay locked (SKIP LOCKED) while in flight, so concurrent relays never double-publish;
//! a crash after the confirm but before the commit re-sends (consumers dedupe by event id).

use std::time::Duration;

use helium_domain::events::Event;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::publisher_confirm::Confirmation;
use lapin::{BasicProperties, Channel};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::outbox;
use super::topology::Topology;
use crate::MqHandle;

pub struct Relay {
    pub db: crate::db::Db,
    pub mq: MqHandle,
    pub topology: Topology,
    pub batch: i64,
    /// Every consumer's (name, event types): their queues are declared before the first
    /// publish, so an event is never unrouted just because its consumer has not started yet.
    pub consumers: Vec<(&'static str, &'static [&'static str])>,
    pub retry_delays_ms: Vec<u64>,
}

pub fn properties(event: &Event) -> BasicProperties {
    BasicProperties::default()
        .with_message_id(event.id.to_string().into())
        .with_type(event.event_type.clone().into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_timestamp(event.occurred_at.timestamp().max(0) as u64)
}

/// The message properties, and a producer span that continues the trace of the operation
/// that wrote the event (its context goes into the `traceparent` header). Events written
/// untraced are published without a span.
fn traced_properties(event: &Event, trace_parent: Option<&str>, exchange: &str) -> (tracing::Span, BasicProperties) {
    let props = properties(event);
    let Some(parent) = trace_parent else {
        return (tracing::Span::none(), props);
    };
    let span = tracing::debug_span!(
        target: crate::trace::TARGET,
        "publish",
        otel.name = %format!("{exchange} publish"),
        otel.kind = "producer",
        messaging.system = "rabbitmq",
        messaging.operation.type = "send",
        messaging.destination.name = %exchange,
        messaging.rabbitmq.destination.routing_key = %event.event_type,
        messaging.message.id = %event.id,
    );
    if !crate::trace::adopt_parent(&span, crate::trace::context_from_traceparent(parent)) {
        return (tracing::Span::none(), props);
    }
    let mut headers = props.headers().clone().unwrap_or_default();
    crate::trace::inject_span(&span, &mut headers);
    (span, props.with_headers(headers))
}

impl Relay {
    async fn open(&self) -> anyhow::Result<Channel> {
        let conn = self.mq.connection().await?;
        let ch = conn.create_channel().await?;
        ch.confirm_select(ConfirmSelectOptions::default()).await?;
        self.topology.declare_exchange(&ch).await?;
        for (name, types) in &self.consumers {
            self.topology.declare_consumer(&ch, name, types, &self.retry_delays_ms).await?;
        }
        Ok(ch)
    }

    /// Publishes one batch; returns how many events went out.
    pub async fn publish_batch(&self, ch: &Channel) -> anyhow::Result<usize> {
        let mut tx = self.db.begin().await?;
        let events = outbox::lock_batch_traced(&mut tx, self.batch).await?;
        if events.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let exchange = self.topology.exchange();
        let mut pending = Vec::with_capacity(events.len());
        for (event, trace_parent) in &events {
            let body = serde_json::to_vec(event)?;
            let (span, props) = traced_properties(event, trace_parent.as_deref(), &exchange);
            let confirm = ch
                .basic_publish(
                    &exchange,
                    &event.event_type,
                    BasicPublishOptions { mandatory: true, ..Default::default() },
                    &body,
                    props,
                )
                .instrument(span)
                .await?;
            pending.push((event.id, confirm));
        }
        let mut confirmed = Vec::with_capacity(pending.len());
        let mut refused = 0usize;
        for (id, confirm) in pending {
            match confirm.await? {
                Confirmation::Ack(None) => confirmed.push(id),
                Confirmation::Ack(Some(_returned)) => {
                    refused += 1;
                    tracing::error!(event_id = %id, "event returned unroutable; left unpublished");
                }
                Confirmation::Nack(_) | Confirmation::NotRequested => refused += 1,
            }
        }
        outbox::mark_published(&mut tx, &confirmed).await?;
        tx.commit().await?;
        metrics::counter!("outbox_published_total").increment(confirmed.len() as u64);
        if refused > 0 {
            metrics::counter!("outbox_publish_failures_total").increment(refused as u64);
            anyhow::bail!("broker refused {refused} event(s)");
        }
        Ok(confirmed.len())
    }

    async fn refresh_age_gauge(&self) {
        let Ok(mut c) = self.db.conn().await else { return };
        if let Ok(oldest) = outbox::oldest_unpublished(&mut c).await {
            let age = oldest.map(|t| (chrono::Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0).unwrap_or(0.0);
            metrics::gauge!("outbox_oldest_unpublished_age_seconds").set(age);
        }
    }

    /// Runs until `stop`; reconnects with back-off when the broker or database goes away.
    pub async fn run(self, stop: CancellationToken) -> anyhow::Result<()> {
        let mut channel: Option<Channel> = None;
        let mut backoff = Duration::from_millis(200);
        let mut last_gauge = std::time::Instant::now() - Duration::from_secs(10);
        tracing::info!(exchange = %self.topology.exchange(), "outbox relay running");
        while !stop.is_cancelled() {
            if last_gauge.elapsed() > Duration::from_secs(1) {
                self.refresh_age_gauge().await;
                last_gauge = std::time::Instant::now();
            }
            let ch = match channel.take().filter(|c| c.status().connected()) {
                Some(c) => c,
                None => match self.open().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), retry_in_ms = backoff.as_millis() as u64, "relay cannot reach RabbitMQ");
                        sleep_or_stop(backoff, &stop).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                        continue;
                    }
                },
            };
            match self.publish_batch(&ch).await {
                Ok(0) => {
                    channel = Some(ch);
                    sleep_or_stop(Duration::from_millis(100), &stop).await;
                }
                Ok(_) => {
                    backoff = Duration::from_millis(200);
                    channel = Some(ch);
                }
                Err(e) => {
                    metrics::counter!("outbox_publish_failures_total").increment(1);
                    tracing::warn!(error = %format!("{e:#}"), "relay batch failed; events stay unpublished and are retried");
                    let _ = ch.close(200, "relay reset").await;
                    sleep_or_stop(backoff, &stop).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
        tracing::info!("outbox relay stopped");
        Ok(())
    }
}

pub async fn sleep_or_stop(d: Duration, stop: &CancellationToken) {
    tokio::select! { _ = tokio::time::sleep(d) => {}, _ = stop.cancelled() => {} }
}
