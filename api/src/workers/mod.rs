//! Background workers per mode (`consumer`, `mailer`, `cron_executor`; all of them in `all`).

use std::future::Future;
use std::pin::Pin;

use tokio_util::sync::CancellationToken;

use crate::mode::WorkMode;
use crate::settings::Settings;
use crate::state::AppState;

pub type Worker = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// The workers a mode runs. Each returns when `stop` is cancelled, after finishing the
/// unit of work in hand.
pub fn for_mode(mode: WorkMode, settings: &Settings, state: &AppState, stop: &CancellationToken) -> Vec<Worker> {
    let mut out: Vec<Worker> = Vec::new();
    let _ = (settings, state);
    for m in [WorkMode::Consumer, WorkMode::Mailer, WorkMode::CronExecutor] {
        if mode == m || mode == WorkMode::All {
            let stop = stop.clone();
            out.push(Box::pin(async move {
                tracing::info!(worker = m.as_str(), "worker running");
                stop.cancelled().await;
                anyhow::Ok(())
            }));
        }
    }
    out
}
