//! The `mailer` consumer: `email.requested` → render → SMTP, with every attempt recorded in
//! `email_log` (recipient, template, status, attempts, last error, message id; never bodies).

use helium_domain::config::{ConfigKind, ModuleConfig};
use helium_domain::events::{EmailRequested, Event, types};
use lettre::message::Mailbox;
use sqlx::{PgConnection, PgPool};

use super::smtp::{self, SendError};
use super::templates;
use crate::ConfigStore;
use crate::events::{Handler, HandlerError};

pub struct MailHandler {
    pub pool: PgPool,
    pub config: ConfigStore,
    pub max_attempts: u32,
}

impl MailHandler {
    /// Attempt bookkeeping on its own connection: it must survive the handler's rollback.
    async fn record(
        &self,
        event: &Event,
        req: &EmailRequested,
        status: &str,
        error: Option<&str>,
        message_id: Option<&str>,
    ) {
        let result = sqlx::query!(
            r#"INSERT INTO email_log (event_id, recipient, template, status, attempts, last_error, message_id)
               VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'sending' THEN 1 ELSE 0 END, $5, $6)
               ON CONFLICT (event_id) DO UPDATE SET
                 status = EXCLUDED.status,
                 attempts = email_log.attempts + CASE WHEN EXCLUDED.status = 'sending' THEN 1 ELSE 0 END,
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
        .execute(&self.pool)
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record the email attempt");
        }
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

    async fn handle(&self, _tx: &mut PgConnection, event: &Event, attempt: u32) -> Result<(), HandlerError> {
        let req: EmailRequested = serde_json::from_value(event.payload.clone())
            .map_err(|e| HandlerError::Permanent(format!("invalid email.requested payload: {e}")))?;
        // Record the attempt first, so failures before SMTP are in the log too.
        self.record(event, &req, "sending", None, None).await;
        let message_id = event.id.to_string();
        let prepared = async {
            let cfg = match self.config.module(ConfigKind::Mailer).await {
                Ok(ModuleConfig::Mailer(m)) => m,
                Ok(_) => return Err(SendError::Permanent("mailer config has the wrong shape".into())),
                Err(e) => return Err(SendError::Transient(format!("mailer config unavailable: {e}"))),
            };
            let sender: Mailbox = cfg
                .sender
                .parse()
                .map_err(|e| SendError::Transient(format!("mailer.sender is not an address: {e}")))?;
            let rendered = templates::render(req.template, &smtp::site_name(&sender), &req.context)
                .map_err(|e| SendError::Permanent(format!("template {}: {e}", req.template.name())))?;
            let message = smtp::build_message(&sender, &req.to, &message_id, &rendered)?;
            Ok((cfg, message))
        }
        .await;

        let outcome = match prepared {
            Ok((cfg, message)) => match smtp::transport(&cfg) {
                Ok(transport) => smtp::send(&transport, message).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match outcome {
            Ok(_) => {
                self.record(event, &req, "sent", None, Some(&message_id)).await;
                tracing::info!(event_id = %event.id, template = req.template.name(), "email sent");
                Ok(())
            }
            Err(SendError::Transient(e)) => {
                let status = if attempt >= self.max_attempts { "failed" } else { "retrying" };
                self.record(event, &req, status, Some(&e), None).await;
                Err(HandlerError::Transient(e))
            }
            Err(SendError::Permanent(e)) => {
                self.record(event, &req, "failed", Some(&e), None).await;
                Err(HandlerError::Permanent(e))
            }
        }
    }
}
