//! `dlq list|replay` and `events probe`.

use std::process::ExitCode;

use helium_domain::events::{Event, types};
use helium_infra::MqHandle;
use helium_infra::events::{Topology, dlq};

use super::Cli;
use super::config_cmd::Connected;

/// Consumers whose queues `dlq list` inspects when no `--queue` is given.
pub const KNOWN_CONSUMERS: [&str; 2] = ["mailer", "probe"];

fn mq(cli: &Cli) -> Result<(MqHandle, Topology), ExitCode> {
    let Some(url) = cli.mq_url.clone().filter(|u| !u.trim().is_empty()) else {
        eprintln!("Error: MQ_URL must be provided (use --mq-url or set MQ_URL)");
        return Err(ExitCode::from(2));
    };
    let prefix = std::env::var("MQ_PREFIX").unwrap_or_else(|_| "helium".to_owned());
    Ok((MqHandle::new(url), Topology::new(prefix)))
}

pub async fn dlq_list(cli: &Cli, queue: Option<&str>) -> ExitCode {
    let (mq, topology) = match mq(cli) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let consumers: Vec<String> = match queue {
        Some(q) => vec![q.to_owned()],
        None => KNOWN_CONSUMERS.iter().map(|s| (*s).to_owned()).collect(),
    };
    let mut total = 0;
    println!("{:<28} {:<22} {:<36} {:>8}  ERROR", "QUEUE", "TYPE", "ID", "ATTEMPTS");
    for consumer in consumers {
        match dlq::list(&mq, &topology, &consumer).await {
            Ok(parked) => {
                for m in parked {
                    total += 1;
                    println!("{:<28} {:<22} {:<36} {:>8}  {}", m.queue, m.event_type, m.id, m.attempts, m.error);
                }
            }
            // A consumer that never ran has no DLQ yet: nothing is parked there.
            Err(e) if queue.is_none() && format!("{e:#}").contains("NOT_FOUND") => {}
            Err(e) => {
                eprintln!("Error: cannot read {}: {e:#}", topology.dlq(&consumer));
                mq.close().await;
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{total} parked message(s)");
    mq.close().await;
    ExitCode::SUCCESS
}

pub async fn dlq_replay(cli: &Cli, queue: &str, id: Option<&str>) -> ExitCode {
    let (mq, topology) = match mq(cli) {
        Ok(v) => v,
        Err(code) => return code,
    };
    match dlq::replay(&mq, &topology, queue, id).await {
        Ok(n) => {
            println!("Replayed {n} message(s) from {} to {}", topology.dlq(queue), topology.queue(queue));
            mq.close().await;
            if id.is_some() && n == 0 {
                eprintln!("Error: no parked message with that id");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: replay failed: {e:#}");
            mq.close().await;
            ExitCode::FAILURE
        }
    }
}

/// Writes `count` `system.probe` events to the outbox (one transaction); each one leaves a
/// receipt in `probe_receipts` once relayed and consumed.
pub async fn probe(ctx: &Connected, count: u32) -> ExitCode {
    let result = async {
        let mut tx = ctx.pool.begin().await?;
        for i in 0..count {
            let event = Event::new(
                uuid::Uuid::now_v7(),
                types::SYSTEM_PROBE,
                "probe",
                chrono::Utc::now(),
                serde_json::json!({ "seq": i }),
            );
            helium_infra::events::outbox::append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        anyhow::Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            println!("Queued {count} probe event(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
