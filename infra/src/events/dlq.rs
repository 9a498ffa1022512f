//! Dead-letter queue tooling for `helium-cli dlq list|replay`.

use lapin::options::{BasicAckOptions, BasicGetOptions, BasicNackOptions, ConfirmSelectOptions};
use lapin::types::AMQPValue;

use super::consumer::{ATTEMPT_HEADER, ERROR_HEADER, header_str, header_u32, with_headers};
use super::topology::Topology;
use crate::MqHandle;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedMessage {
    pub queue: String,
    pub event_type: String,
    pub id: String,
    pub error: String,
    pub attempts: u32,
}

/// Reads every parked message of `consumer` without removing any (all are requeued).
pub async fn list(mq: &MqHandle, topology: &Topology, consumer: &str) -> anyhow::Result<Vec<ParkedMessage>> {
    let conn = mq.connection().await?;
    let ch = conn.create_channel().await?;
    let dlq = topology.dlq(consumer);
    let mut out = Vec::new();
    let mut tags = Vec::new();
    while let Some(msg) = ch.basic_get(&dlq, BasicGetOptions { no_ack: false }).await? {
        let d = msg.delivery;
        out.push(ParkedMessage {
            queue: dlq.clone(),
            event_type: d.properties.kind().as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            id: d.properties.message_id().as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default(),
            error: header_str(&d.properties, ERROR_HEADER).unwrap_or_default(),
            attempts: header_u32(&d.properties, ATTEMPT_HEADER)
                .or_else(|| header_u32(&d.properties, "x-delivery-count"))
                .unwrap_or(0),
        });
        tags.push(d.delivery_tag);
    }
    for tag in tags {
        ch.basic_nack(tag, BasicNackOptions { requeue: true, ..Default::default() }).await?;
    }
    let _ = ch.close(200, "dlq list done").await;
    Ok(out)
}

/// Moves parked messages back to the consumer's queue (all, or the one with `only_id`), with
/// a fresh attempt count. Each is removed from the DLQ only after the broker confirmed the
/// republish. Returns how many were replayed.
pub async fn replay(
    mq: &MqHandle,
    topology: &Topology,
    consumer: &str,
    only_id: Option<&str>,
) -> anyhow::Result<usize> {
    let conn = mq.connection().await?;
    let ch = conn.create_channel().await?;
    ch.confirm_select(ConfirmSelectOptions::default()).await?;
    let dlq = topology.dlq(consumer);
    let queue = topology.queue(consumer);
    let mut replayed = 0;
    let mut skipped = Vec::new();
    while let Some(msg) = ch.basic_get(&dlq, BasicGetOptions { no_ack: false }).await? {
        let d = msg.delivery;
        let id = d.properties.message_id().as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default();
        if only_id.is_some_and(|want| want != id) {
            skipped.push(d.delivery_tag);
            continue;
        }
        let props = with_headers(&d.properties, vec![(ATTEMPT_HEADER, AMQPValue::LongLongInt(0))]);
        let confirm = ch.basic_publish("", &queue, Default::default(), &d.data, props).await?;
        if !matches!(confirm.await?, lapin::publisher_confirm::Confirmation::Ack(None)) {
            ch.basic_nack(d.delivery_tag, BasicNackOptions { requeue: true, ..Default::default() }).await?;
            anyhow::bail!("broker refused the republish of {id}; it stays parked");
        }
        ch.basic_ack(d.delivery_tag, BasicAckOptions::default()).await?;
        replayed += 1;
    }
    for tag in skipped {
        ch.basic_nack(tag, BasicNackOptions { requeue: true, ..Default::default() }).await?;
    }
    let _ = ch.close(200, "dlq replay done").await;
    Ok(replayed)
}
