//! Exchange and queue names, and their declarations (idempotent; every process declares
//! what it uses before using it).
//!
//! `<prefix>.events` (topic) carries every event, routing key = event type. Unrouted events
//! go to the alternate exchange `<prefix>.events.unrouted` → queue `<prefix>.unrouted`
//! (bounded), so an event nobody subscribes to yet is still "published", never returned.
//! Consumer `c` owns: `<prefix>.c` (quorum, delivery limit 10, dead-letters to the DLQ),
//! `<prefix>.c.retry.<delay>ms` (TTL back-off queues that dead-letter back into `<prefix>.c`),
//! and `<prefix>.c.dlq` (parked messages).

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, ExchangeKind};

/// Redeliveries after crashes (no ack) before the broker parks a message by itself.
pub const DELIVERY_LIMIT: i64 = 10;

#[derive(Debug, Clone)]
pub struct Topology {
    pub prefix: String,
}

fn table(entries: Vec<(&str, AMQPValue)>) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in entries {
        t.insert(ShortString::from(k.to_owned()), v);
    }
    t
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.to_owned()))
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions { durable: true, ..Default::default() }
}

impl Topology {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self { prefix: prefix.into() }
    }

    pub fn exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }

    pub fn unrouted_exchange(&self) -> String {
        format!("{}.events.unrouted", self.prefix)
    }

    pub fn unrouted_queue(&self) -> String {
        format!("{}.unrouted", self.prefix)
    }

    /// Accepts a consumer's short name (`mailer`) or its full queue name (`helium.mailer`).
    pub fn queue(&self, consumer: &str) -> String {
        let full = format!("{}.", self.prefix);
        if consumer.starts_with(&full) { consumer.to_owned() } else { format!("{}{consumer}", full) }
    }

    /// Retry queues are named by their delay, so changing the back-off settings declares new
    /// queues instead of conflicting with the old ones' `x-message-ttl`.
    pub fn retry_queue(&self, consumer: &str, delay_ms: u64) -> String {
        format!("{}.retry.{delay_ms}ms", self.queue(consumer))
    }

    pub fn dlq(&self, consumer: &str) -> String {
        format!("{}.dlq", self.queue(consumer))
    }

    /// The events exchange with its alternate exchange for unrouted messages.
    pub async fn declare_exchange(&self, ch: &Channel) -> lapin::Result<()> {
        let durable = ExchangeDeclareOptions { durable: true, ..Default::default() };
        ch.exchange_declare(&self.unrouted_exchange(), ExchangeKind::Fanout, durable, FieldTable::default()).await?;
        let args = table(vec![
            ("x-max-length", AMQPValue::LongLongInt(100_000)),
            ("x-overflow", long("drop-head")),
            ("x-message-ttl", AMQPValue::LongLongInt(7 * 24 * 3600 * 1000)),
        ]);
        ch.queue_declare(&self.unrouted_queue(), durable_opts(), args).await?;
        ch.queue_bind(
            &self.unrouted_queue(),
            &self.unrouted_exchange(),
            "",
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
        let args = table(vec![("alternate-exchange", long(&self.unrouted_exchange()))]);
        ch.exchange_declare(&self.exchange(), ExchangeKind::Topic, durable, args).await
    }

    /// A consumer's dead-letter queue (idempotent: the same arguments every time), with its
    /// current depth.
    pub async fn declare_dlq(&self, ch: &Channel, consumer: &str) -> lapin::Result<lapin::Queue> {
        ch.queue_declare(&self.dlq(consumer), durable(), table(vec![("x-queue-type", long("quorum"))])).await
    }

    /// A consumer's queue, bindings, retry ladder and DLQ.
    pub async fn declare_consumer(
        &self,
        ch: &Channel,
        consumer: &str,
        event_types: &[&str],
        retry_delays_ms: &[u64],
    ) -> lapin::Result<()> {
        self.declare_exchange(ch).await?;
        let queue = self.queue(consumer);
        let dlq = self.declare_dlq(ch, consumer).await?.name().to_string();
        let args = table(vec![
            ("x-queue-type", long("quorum")),
            ("x-delivery-limit", AMQPValue::LongLongInt(DELIVERY_LIMIT)),
            ("x-dead-letter-exchange", long("")),
            ("x-dead-letter-routing-key", long(&dlq)),
            ("x-dead-letter-strategy", long("at-least-once")),
            ("x-overflow", long("reject-publish")),
        ]);
        ch.queue_declare(&queue, durable(), args).await?;
        for event_type in event_types {
            ch.queue_bind(&queue, &self.exchange(), event_type, QueueBindOptions::default(), FieldTable::default())
                .await?;
        }
        for delay in retry_delays_ms {
            let args = table(vec![
                ("x-message-ttl", AMQPValue::LongLongInt(*delay as i64)),
                ("x-dead-letter-exchange", long("")),
                ("x-dead-letter-routing-key", long(&queue)),
            ]);
            ch.queue_declare(&self.retry_queue(consumer, *delay), durable(), args).await?;
        }
        Ok(())
    }
}

fn durable_opts() -> QueueDeclareOptions {
    durable()
}
