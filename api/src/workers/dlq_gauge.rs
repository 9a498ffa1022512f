//! `helium_dlq_messages{queue}`: how many messages each consumer's dead-letter queue holds,
//! read every 15 s by the `consumer` mode (the DLQ's own idempotent declare, nothing
//! consumed: a passive declare of a queue not declared yet closes the channel, which the AMQP
//! client logs as an error at every start-up). The
//! `HeliumDeadLetterQueueNotEmpty` alert fires on it (deploy/observability/alerts.yaml).

use std::time::Duration;

use helium_infra::MqHandle;
use helium_infra::events::Topology;
use helium_infra::events::relay::sleep_or_stop;
use tokio_util::sync::CancellationToken;

const PERIOD: Duration = Duration::from_secs(15);
/// After a failed read (queues not declared yet at start-up, broker away): try again sooner.
const RETRY: Duration = Duration::from_secs(2);

pub async fn run(
    mq: MqHandle,
    topology: Topology,
    consumers: Vec<&'static str>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    while !stop.is_cancelled() {
        let mut all_read = true;
        for consumer in &consumers {
            let queue = topology.dlq(consumer);
            match depth(&mq, &topology, consumer).await {
                Ok(n) => metrics::gauge!("helium_dlq_messages", "queue" => queue).set(f64::from(n)),
                Err(e) => {
                    all_read = false;
                    tracing::debug!(queue = %queue, error = %format!("{e:#}"), "DLQ depth unavailable");
                }
            }
        }
        sleep_or_stop(if all_read { PERIOD } else { RETRY }, &stop).await;
    }
    Ok(())
}

/// The DLQ's depth, declared as its consumer declares it (created early if that consumer has
/// not started yet), on a short-lived channel.
async fn depth(mq: &MqHandle, topology: &Topology, consumer: &str) -> anyhow::Result<u32> {
    let conn = mq.connection().await?;
    let ch = conn.create_channel().await?;
    let q = topology.declare_dlq(&ch, consumer).await?;
    let _ = ch.close(200, "dlq depth read").await;
    Ok(q.message_count())
}
