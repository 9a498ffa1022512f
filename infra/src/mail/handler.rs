//! The `mailer` consumer: `email.requested` → open its sealed secrets → render → SMTP, with
//! every attempt recorded in `email_log` (recipient, template, status, attempts, last error,
//! message id; never bodies). A success is recorded in the handler's transaction; a failure,
//! after the rollback, on the connection it freed (never a second connection at once).

use helium_domain::config::{ConfigKind, ModuleConfig};
use helium_domain::events::{EmailRequested, Event, types};
use helium_domain::notify::preferences::Category;
use lettre::message::Mailbox;
use sqlx::PgConnection;

use super::consent as preferences;
use super::request::open_context;
use super::smtp::{self, SendError};
use super::templates;
use super::unsubscribe;
use crate::ConfigStore;
use crate::db::ex;
use crate::events::{Handler, HandlerError};
use crate::identity::keyring::DataKey;

pub struct MailHandler {
    pub config: ConfigStore,
    /// Opens the sealed links and codes of each request; keys unsubscribe tokens.
    pub keys: DataKey,
    pub max_attempts: u32,
    /// Base of the unsubscribe links (`<public_url>/unsubscribe?token=` for people,
    /// `<public_url>/api/v1/notification-preferences/unsubscribe?token=` for one-click).
    pub public_url: String,
}

/// What the recipient's preferences say about one e-mail.
enum Consent {
    /// Send it; with an unsubscribe token when it is a customer's non-security e-mail.
    Send(Option<(String, Category)>),
    /// The customer turned this category off.
    Suppressed,
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
    /// Security e-mails always go; others only when the customer at the address has the
    /// category on (an address that is no customer's — staff, a new address being confirmed —
    /// gets it without an unsubscribe link).
    async fn consent(&self, tx: &mut PgConnection, req: &EmailRequested) -> Result<Consent, SendError> {
        let category = req.category();
        if category == Category::Security {
            return Ok(Consent::Send(None));
        }
        let transient = |e: String| SendError::Transient(e);
        match preferences::recipient(tx, &req.to, category).await.map_err(|e| transient(e.to_string()))? {
            None => Ok(Consent::Send(None)),
            Some((_, false)) => Ok(Consent::Suppressed),
            Some((user_id, true)) => {
                let key = self.keys.derived(tx, unsubscribe::KEY_LABEL).await.map_err(|e| transient(e.to_string()))?;
                Ok(Consent::Send(Some((unsubscribe::token(&key, user_id, category), category))))
            }
        }
    }

    async fn send(
        &self,
        tx: &mut PgConnection,
        event: &Event,
        req: &EmailRequested,
        unsubscribe: Option<(String, Category)>,
    ) -> Result<String, SendError> {
        let sealer = self.keys.sealer(tx).await.map_err(|e| SendError::Transient(format!("data key: {e}")))?;
        let mut context = open_context(&sealer, event.id, req)
            .map_err(|e| SendError::Permanent(format!("sealed e-mail secrets do not open: {e}")))?;
        let base = self.public_url.trim_end_matches('/');
        let one_click = unsubscribe.as_ref().map(|(token, category)| {
            context.insert("unsubscribe_url".into(), format!("{base}/unsubscribe?token={token}").into());
            context.insert("unsubscribe_category".into(), category.as_str().into());
            format!("{base}/api/v1/notification-preferences/unsubscribe?token={token}")
        });
        let cfg = match self.config.module_arc_on(tx, ConfigKind::Mailer).await.as_deref() {
            Ok(ModuleConfig::Mailer(m)) => m.clone(),
            Ok(_) => return Err(SendError::Permanent("mailer config has the wrong shape".into())),
            Err(e) => return Err(SendError::Transient(format!("mailer config unavailable: {e}"))),
        };
        let sender: Mailbox =
            cfg.sender.parse().map_err(|e| SendError::Transient(format!("mailer.sender is not an address: {e}")))?;
        let rendered = templates::render(req.template, &smtp::site_name(&sender), &context)
            .map_err(|e| SendError::Permanent(format!("template {}: {e}", req.template.name())))?;
        let message_id = event.id.to_string();
        let message = smtp::build_message(&sender, &req.to, &message_id, &rendered, one_click.as_deref())?;
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
        let unsubscribe = match self.consent(tx, &req).await {
            Ok(Consent::Send(u)) => u,
            Ok(Consent::Suppressed) => {
                record(tx, event, &req, "suppressed", None, None).await;
                tracing::info!(event_id = %event.id, template = req.template.name(), "email suppressed by the recipient's preferences");
                return Ok(());
            }
            Err(SendError::Transient(e)) => return Err(HandlerError::Transient(e)),
            Err(SendError::Permanent(e)) => return Err(HandlerError::Permanent(e)),
        };
        match self.send(tx, event, &req, unsubscribe).await {
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
