//! Building `email.requested` events. What a template shows may be seen by whoever reads the
//! outbox or the broker (`context`); what grants access — links and codes — is sealed under
//! the data key, bound to the event id, and opened only by the mailer (`secrets`).

use chrono::Utc;
use helium_domain::DomainError;
use helium_domain::events::{EmailRequested, EmailTemplate, Event, types};
use helium_domain::notify::preferences::Category;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::identity::keyring::DataKey;
use crate::identity::seal::Sealer;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// An e-mail to `to`; `secrets` (a JSON object, possibly empty) is sealed.
pub async fn email_event(
    c: &mut PgConnection,
    keys: &DataKey,
    to: &str,
    template: EmailTemplate,
    context: Value,
    secrets: Value,
) -> Result<Event, DomainError> {
    email_event_as(c, keys, to, template, None, context, secrets).await
}

/// [`email_event`] sent under another preference category than the template's own.
pub async fn email_event_as(
    c: &mut PgConnection,
    keys: &DataKey,
    to: &str,
    template: EmailTemplate,
    category: Option<Category>,
    context: Value,
    secrets: Value,
) -> Result<Event, DomainError> {
    let id = Uuid::now_v7();
    let secrets = object(secrets);
    let sealed = if secrets.is_empty() {
        None
    } else {
        let plain = serde_json::to_vec(&secrets).map_err(|e| DomainError::Internal(e.to_string()))?;
        let sealer = keys.sealer(c).await?;
        Some(sealer.seal(&plain, id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?)
    };
    let payload =
        EmailRequested { to: to.to_owned(), template, context: object(context), sealed, locale: None, category };
    let payload = serde_json::to_value(payload).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok(Event::new(id, types::EMAIL_REQUESTED, to, Utc::now(), payload))
}

/// The template variables of a request: its context with its sealed secrets opened in.
pub fn open_context(sealer: &Sealer, event_id: Uuid, req: &EmailRequested) -> anyhow::Result<Map<String, Value>> {
    let mut context = req.context.clone();
    if let Some(sealed) = &req.sealed {
        let plain = sealer.open(sealed, event_id.as_bytes())?;
        let secrets: Map<String, Value> = serde_json::from_slice(&plain)?;
        context.extend(secrets);
    }
    Ok(context)
}
