//! Consumer framework: a durable queue per consumer bound to its event types; manual ack
//! after the handler's transaction commits; a dedupe row (consumer, event id) in that same
//! transaction; exponential retry through TTL queues; poison and malformed messages parked
//! in `<queue>.dlq` with the last error in headers. Nothing is acked and dropped.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use helium_domain::events::Event;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::publisher_confirm::Confirmation;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel};
use sqlx::PgConnection;

use crate::db::{Db, ex};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::relay::sleep_or_stop;
use super::topology::Topology;
use crate::MqHandle;

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Worth retrying later (dependency down, 4xx from SMTP, serialization failure).
    #[error("transient: {0}")]
    Transient(String),
    /// Retrying cannot help (bad payload, 5xx from SMTP): park it.
    #[error("permanent: {0}")]
    Permanent(String),
}

impl From<helium_domain::DomainError> for HandlerError {
    /// Infrastructure trouble is worth a retry; a refused input is not.
    fn from(e: helium_domain::DomainError) -> Self {
        use helium_domain::DomainError as E;
        match e {
            E::Unavailable(m) | E::Contention(m) | E::Internal(m) => HandlerError::Transient(m),
            E::Throttled { code, .. } => HandlerError::Transient(code.to_string()),
            E::Rejected { code, detail, .. } => HandlerError::Permanent(format!("{code}: {detail}")),
        }
    }
}

impl From<crate::db::DbError> for HandlerError {
    fn from(e: crate::db::DbError) -> Self {
        helium_domain::DomainError::from(e).into()
    }
}

/// One consumer. `handle` does its database work in `tx`; the framework commits it together
/// with the dedupe record, then acks.
#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn event_types(&self) -> &'static [&'static str];
    async fn handle(&self, tx: &mut PgConnection, event: &Event, attempt: u32) -> Result<(), HandlerError>;

    /// Called after a failed attempt rolled back, on a fresh connection (the handler's
    /// transaction is gone: nothing here holds two), to record what must survive the rollback.
    async fn after_failure(&self, _c: &mut PgConnection, _event: &Event, _attempt: u32, _error: &str, _parked: bool) {}
}

#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub prefetch: u16,
    /// Attempts before a failing message is parked (first try included).
    pub max_attempts: u32,
    pub retry_base: Duration,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        Self { prefetch: 16, max_attempts: 5, retry_base: Duration::from_secs(1) }
    }
}

impl ConsumerSettings {
    /// Back-off before attempt n+1 (n = 1..max-1): base·2^(n-1), capped at 5 minutes.
    pub fn retry_delays_ms(&self) -> Vec<u64> {
        (1..self.max_attempts.max(1))
            .map(|n| (self.retry_base.as_millis() as u64).saturating_mul(1 << (n - 1).min(20)).min(300_000))
            .collect()
    }
}

pub struct ConsumerRunner {
    pub db: Db,
    pub mq: MqHandle,
    pub topology: Topology,
    pub settings: ConsumerSettings,
    pub handler: Arc<dyn Handler>,
}

pub const ATTEMPT_HEADER: &str = "x-attempt";
pub const ERROR_HEADER: &str = "x-last-error";

pub fn header_u32(props: &BasicProperties, name: &str) -> Option<u32> {
    let headers = props.headers().as_ref()?;
    match headers.inner().get(name)? {
        AMQPValue::LongLongInt(v) => u32::try_from(*v).ok(),
        AMQPValue::LongInt(v) => u32::try_from(*v).ok(),
        AMQPValue::LongUInt(v) => Some(*v),
        AMQPValue::ShortInt(v) => u32::try_from(*v).ok(),
        AMQPValue::ShortUInt(v) => Some(u32::from(*v)),
        _ => None,
    }
}

pub fn header_str(props: &BasicProperties, name: &str) -> Option<String> {
    match props.headers().as_ref()?.inner().get(name)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// Copies properties with extra headers (attempt count, last error, origin).
pub fn with_headers(props: &BasicProperties, extra: Vec<(&str, AMQPValue)>) -> BasicProperties {
    let mut headers = props.headers().clone().unwrap_or_default();
    for (k, v) in extra {
        headers.insert(ShortString::from(k.to_owned()), v);
    }
    props.clone().with_headers(headers).with_delivery_mode(2)
}

fn truncated(s: &str) -> String {
    s.chars().take(500).collect()
}

enum Outcome {
    Done,
    Duplicate,
    Retry(String),
    Park(String),
}

impl ConsumerRunner {
    async fn open(&self) -> anyhow::Result<Channel> {
        let conn = self.mq.connection().await?;
        let ch = conn.create_channel().await?;
        ch.confirm_select(ConfirmSelectOptions::default()).await?;
        let delays = self.settings.retry_delays_ms();
        self.topology.declare_consumer(&ch, self.handler.name(), self.handler.event_types(), &delays).await?;
        ch.basic_qos(self.settings.prefetch, BasicQosOptions::default()).await?;
        Ok(ch)
    }

    /// A consumer span that joins the trace the message carries (none when it carries none).
    fn consume_span(&self, delivery: &Delivery, event: &Event) -> tracing::Span {
        let parent = crate::trace::context_from_headers(delivery.properties.headers().as_ref());
        let queue = self.topology.queue(self.handler.name());
        let span = tracing::debug_span!(
            target: crate::trace::TARGET,
            "process",
            otel.name = %format!("{queue} process"),
            otel.kind = "consumer",
            messaging.system = "rabbitmq",
            messaging.operation.type = "process",
            messaging.destination.name = %queue,
            messaging.consumer.group.name = %self.handler.name(),
            messaging.message.id = %event.id,
            messaging.rabbitmq.destination.routing_key = %event.event_type,
        );
        if crate::trace::adopt_parent(&span, parent) { span } else { tracing::Span::none() }
    }

    /// Runs the handler in one transaction with the dedupe record.
    async fn process(&self, event: &Event, attempt: u32) -> Outcome {
        let name = self.handler.name();
        let mut tx = match self.db.begin().await {
            Ok(tx) => tx,
            Err(e) => return Outcome::Retry(format!("database: {e}")),
        };
        let fresh = sqlx::query!(
            r#"INSERT INTO consumer_inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"#,
            name,
            event.id
        )
        .execute(ex(&mut tx))
        .await;
        match fresh {
            Ok(r) if r.rows_affected() == 0 => return Outcome::Duplicate,
            Ok(_) => {}
            Err(e) => return Outcome::Retry(format!("database: {e}")),
        }
        let outcome = match self.handler.handle(&mut tx, event, attempt).await {
            Ok(()) => match tx.commit().await {
                Ok(()) => return Outcome::Done,
                Err(e) => Outcome::Retry(format!("commit: {e}")),
            },
            Err(failure) => {
                // Roll back first: the failure is recorded on the connection that frees.
                if let Err(e) = tx.rollback().await {
                    tracing::warn!(consumer = name, error = %e, "rollback failed");
                }
                match failure {
                    HandlerError::Transient(e) => Outcome::Retry(e),
                    HandlerError::Permanent(e) => Outcome::Park(e),
                }
            }
        };
        // A transaction of its own: pooler-safe, and committed even though the handler's rolled back.
        if let Ok(mut tx) = self.db.begin().await {
            let (error, parked) = match &outcome {
                Outcome::Retry(e) => (e.as_str(), attempt >= self.settings.max_attempts),
                Outcome::Park(e) => (e.as_str(), true),
                _ => ("", false),
            };
            self.handler.after_failure(&mut tx, event, attempt, error, parked).await;
            if let Err(e) = tx.commit().await {
                tracing::warn!(consumer = name, error = %e, "could not record the failure");
            }
        }
        outcome
    }

    async fn publish_confirmed(ch: &Channel, queue: &str, body: &[u8], props: BasicProperties) -> anyhow::Result<()> {
        let confirm = ch
            .basic_publish("", queue, BasicPublishOptions { mandatory: true, ..Default::default() }, body, props)
            .await?;
        match confirm.await? {
            Confirmation::Ack(None) => Ok(()),
            other => anyhow::bail!("broker did not accept the message for {queue}: {other:?}"),
        }
    }

    async fn handle_delivery(&self, ch: &Channel, delivery: Delivery) -> anyhow::Result<()> {
        let name = self.handler.name();
        let attempt = header_u32(&delivery.properties, ATTEMPT_HEADER).unwrap_or(0) + 1;
        let outcome = match serde_json::from_slice::<Event>(&delivery.data) {
            Err(e) => Outcome::Park(format!("malformed message: {e}")),
            Ok(event) if !self.handler.event_types().contains(&event.event_type.as_str()) => {
                Outcome::Park(format!("unexpected event type {}", event.event_type))
            }
            Ok(event) => {
                let span = self.consume_span(&delivery, &event);
                self.process(&event, attempt).instrument(span).await
            }
        };
        let target = match &outcome {
            Outcome::Done => {
                metrics::counter!("consumer_processed_total", "consumer" => name).increment(1);
                None
            }
            Outcome::Duplicate => {
                metrics::counter!("consumer_duplicates_total", "consumer" => name).increment(1);
                None
            }
            Outcome::Retry(err) if attempt < self.settings.max_attempts => {
                metrics::counter!("consumer_failed_total", "consumer" => name).increment(1);
                metrics::counter!("consumer_retried_total", "consumer" => name).increment(1);
                tracing::warn!(consumer = name, attempt, error = %err, "handler failed; retrying later");
                let delays = self.settings.retry_delays_ms();
                let delay = delays.get(attempt as usize - 1).or(delays.last()).copied().unwrap_or(1000);
                Some((self.topology.retry_queue(name, delay), err.clone()))
            }
            Outcome::Retry(err) | Outcome::Park(err) => {
                metrics::counter!("consumer_failed_total", "consumer" => name).increment(1);
                metrics::counter!("consumer_dead_lettered_total", "consumer" => name).increment(1);
                tracing::error!(consumer = name, attempt, error = %err, "message parked in the dead-letter queue");
                Some((self.topology.dlq(name), err.clone()))
            }
        };
        if let Some((queue, err)) = target {
            let props = with_headers(
                &delivery.properties,
                vec![
                    (ATTEMPT_HEADER, AMQPValue::LongLongInt(i64::from(attempt))),
                    (ERROR_HEADER, AMQPValue::LongString(LongString::from(truncated(&err)))),
                    ("x-original-queue", AMQPValue::LongString(LongString::from(self.topology.queue(name)))),
                ],
            );
            if let Err(e) = Self::publish_confirmed(ch, &queue, &delivery.data, props).await {
                // Could not move it: give it back to the queue rather than lose it.
                delivery.nack(BasicNackOptions { requeue: true, ..Default::default() }).await?;
                return Err(e);
            }
        }
        delivery.ack(BasicAckOptions::default()).await?;
        Ok(())
    }

    /// Consumes until `stop`; the message in hand is finished before returning.
    pub async fn run(self, stop: CancellationToken) -> anyhow::Result<()> {
        let name = self.handler.name();
        let mut backoff = Duration::from_millis(200);
        while !stop.is_cancelled() {
            let ch = match self.open().await {
                Ok(ch) => ch,
                Err(e) => {
                    tracing::warn!(consumer = name, error = %format!("{e:#}"), "consumer cannot reach RabbitMQ");
                    sleep_or_stop(backoff, &stop).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            let tag = format!("{name}-{}", uuid::Uuid::new_v4());
            let mut stream = match ch
                .basic_consume(&self.topology.queue(name), &tag, BasicConsumeOptions::default(), FieldTable::default())
                .await
            {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(consumer = name, error = %e, "cannot start consuming");
                    sleep_or_stop(backoff, &stop).await;
                    continue;
                }
            };
            tracing::info!(consumer = name, queue = %self.topology.queue(name), "consumer running");
            backoff = Duration::from_millis(200);
            loop {
                let next = tokio::select! {
                    _ = stop.cancelled() => break,
                    next = stream.next() => next,
                };
                match next {
                    Some(Ok(delivery)) => {
                        if let Err(e) = self.handle_delivery(&ch, delivery).await {
                            tracing::warn!(consumer = name, error = %format!("{e:#}"), "delivery handling failed; reconnecting");
                            break;
                        }
                    }
                    Some(Err(e)) => {
                        tracing::warn!(consumer = name, error = %e, "consumer stream error; reconnecting");
                        break;
                    }
                    None => break,
                }
            }
            let _ = ch.basic_cancel(&tag, BasicCancelOptions::default()).await;
            let _ = ch.close(200, "consumer stopping").await;
            if !stop.is_cancelled() {
                sleep_or_stop(backoff, &stop).await;
            }
        }
        tracing::info!(consumer = name, "consumer stopped");
        Ok(())
    }
}
