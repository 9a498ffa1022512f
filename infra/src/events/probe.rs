//! `system.probe`: an end-to-end check of relay, broker and consumers. Each probe event
//! leaves one receipt; a second effect for the same event would increment `effects`.

use helium_domain::events::{Event, types};
use sqlx::PgConnection;

use super::consumer::{Handler, HandlerError};

pub struct ProbeHandler;

#[async_trait::async_trait]
impl Handler for ProbeHandler {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::SYSTEM_PROBE]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        sqlx::query!(
            r#"INSERT INTO probe_receipts (event_id) VALUES ($1)
               ON CONFLICT (event_id) DO UPDATE SET effects = probe_receipts.effects + 1"#,
            event.id
        )
        .execute(crate::db::ex(tx))
        .await
        .map_err(|e| HandlerError::Transient(e.to_string()))?;
        Ok(())
    }
}
