//! The `mailer` consumer: `email.requested` → open its sealed secrets → render → SMTP, with
//! every attempt recorded in `email_log` (recipient, template, status, attempts, last error,
//! message id; never bodies). A success is recorded in the handler's transaction; a failure,
//! after the rollback, on the connection it freed (never a second connection at once).

use helium_domain::config::{ConfigKind, ModuleConfig};
use helium_domain::events::{EmailRequested, Event, types};
use lettre::message::Mailbox;
use sqlx::PgConnection;

use super::request::open_context;
use super::smtp::{self, SendError};
use super::templates;
use crate::ConfigStore;
use crate::db::ex;
use crate::events::{Handler, HandlerError};
use crate::identity::keyring::DataKey;

pub struct MailHandler {
    pub config: ConfigStore,
    /// Opens the sealed links and codes of each request.
    pub keys: DataKey,
    pub max_attempts: u32,
}

/// Upserts the log row of one attempt's outcome; `counts` adds this attempt to `attempts`.
async fn record(
    c: &mut PgConnection,
    event: &Event,
    req: &EmailRequested,
    status: &str,
    error: Option<&str>,
    message_id: Option<&str>,
) {
    let result = sqlx::query!(
        r#"INSERT INTO email_log (event_id, recipient, template, status, attempts, last_error, message_id)
           VALUES ($1, $2, $3, $4, 1, $5, $6)
           ON CONFLICT (event_id) DO UPDATE SET
             status = EXCLUDED.status,
             attempts = email_log.attempts + 1,
             last_error = COALESCE(EXCLUDED.last_error, CASE WHEN EXCLUDED.status = 'sent' THEN NULL ELSE email_log.last_error END),
             message_id = COALESCE(EXCLUDED.message_id, email_log.message_id),
             updated_at = now()"#,
        event.id,
        req.to,
        req.template.name(),
        status,
        error,
        message_id
    )
    .execute(ex(c))
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not record the email attempt");
    }
}

fn request(event: &Event) -> Result<EmailRequested, HandlerError> {
    serde_json::from_value(event.payload.clone())
        .map_err(|e| HandlerError::Permanent(format!("invalid email.requested payload: {e}")))
}

impl MailHandler {
    async fn send(&self, tx: &mut PgConnection, event: &Event, req: &EmailRequested) -> Result<String, SendError> {
        let sealer = self.keys.sealer(tx).await.map_err(|e| SendError::Transient(format!("data key: {e}")))?;
        let context = open_context(&sealer, event.id, req)
            .map_err(|e| SendError::Permanent(format!("sealed e-mail secrets do not open: {e}")))?;
        let cfg = match self.config.module(ConfigKind::Mailer).await {
            Ok(ModuleConfig::Mailer(m)) => m,
            Ok(_) => return Err(SendError::Permanent("mailer config has the wrong shape".into())),
            Err(e) => return Err(SendError::Transient(format!("mailer config unavailable: {e}"))),
        };
        let sender: Mailbox =
            cfg.sender.parse().map_err(|e| SendError::Transient(format!("mailer.sender is not an address: {e}")))?;
        let rendered = templates::render(req.template, &smtp::site_name(&sender), &context)
            .map_err(|e| SendError::Permanent(format!("template {}: {e}", req.template.name())))?;
        let message_id = event.id.to_string();
        let message = smtp::build_message(&sender, &req.to, &message_id, &rendered)?;
        let transport = smtp::transport(&cfg)?;
        smtp::send(&transport, message).await?;
        Ok(message_id)
    }
}

#[async_trait::async_trait]
impl Handler for MailHandler {
    fn name(&self) -> &'static str {
        "mailer"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::EMAIL_REQUESTED]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let req = request(event)?;
        match self.send(tx, event, &req).await {
            Ok(message_id) => {
                record(tx, event, &req, "sent", None, Some(&message_id)).await;
                tracing::info!(event_id = %event.id, template = req.template.name(), "email sent");
                Ok(())
            }
            Err(SendError::Transient(e)) => Err(HandlerError::Transient(e)),
            Err(SendError::Permanent(e)) => Err(HandlerError::Permanent(e)),
        }
    }

    async fn after_failure(&self, c: &mut PgConnection, event: &Event, attempt: u32, error: &str, parked: bool) {
        let Ok(req) = request(event) else { return };
        let status = if parked || attempt >= self.max_attempts { "failed" } else { "retrying" };
        record(c, event, &req, status, Some(error), None).await;
    }
}
