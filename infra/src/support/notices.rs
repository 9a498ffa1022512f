//! The events and e-mails of ticket changes, appended to the outbox in the caller's
//! transaction. Event payloads carry ids and states, never message text; e-mailed text
//! (subject, excerpt) travels sealed, for the mailer's eyes only.

use chrono::Utc;
use helium_domain::DomainError;
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::support::model::{Ticket, TicketMessage, TicketStatus};
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::SupportContext;
use crate::events::outbox;
use crate::mail::request::email_event;

/// How much of a reply the e-mail quotes, in characters.
const EXCERPT_CHARS: usize = 500;

async fn emit(c: &mut PgConnection, event_type: &str, ticket: &Ticket, payload: Value) -> Result<(), DomainError> {
    let event = Event::new(Uuid::now_v7(), event_type, ticket.id.to_string(), Utc::now(), payload);
    outbox::append(c, &event).await?;
    Ok(())
}

pub async fn created(c: &mut PgConnection, t: &Ticket) -> Result<(), DomainError> {
    let payload = json!({
        "ticket_id": t.id, "user_id": t.user_id, "status": t.status, "priority": t.priority, "order_id": t.order_id,
    });
    emit(c, types::TICKET_CREATED, t, payload).await
}

/// A customer reply or a staff reply (never an internal note).
pub async fn replied(c: &mut PgConnection, t: &Ticket, m: &TicketMessage) -> Result<(), DomainError> {
    let payload = json!({
        "ticket_id": t.id, "user_id": t.user_id, "message_id": m.id,
        "author_type": m.author_type, "status": t.status,
    });
    emit(c, types::TICKET_REPLIED, t, payload).await
}

pub async fn status_changed(
    c: &mut PgConnection,
    t: &Ticket,
    from: TicketStatus,
    by_staff: bool,
) -> Result<(), DomainError> {
    let payload = json!({
        "ticket_id": t.id, "user_id": t.user_id, "from": from, "status": t.status,
        "by": if by_staff { "staff" } else { "customer" },
    });
    emit(c, types::TICKET_STATUS_CHANGED, t, payload).await
}

fn excerpt(body: &str) -> String {
    let mut chars = body.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// The customer's address (none when the account is gone).
async fn customer_email(c: &mut PgConnection, user_id: Uuid) -> Result<Option<String>, DomainError> {
    Ok(crate::auth::store::users::by_id(c, user_id).await?.map(|u| u.email))
}

/// `ticket_reply` to the customer, for a staff reply.
pub async fn mail_reply(
    c: &mut PgConnection,
    ctx: &SupportContext,
    t: &Ticket,
    m: &TicketMessage,
) -> Result<(), DomainError> {
    let Some(to) = customer_email(c, t.user_id).await? else { return Ok(()) };
    let context = json!({ "ticket_url": ctx.ticket_url(t.id) });
    let secrets = json!({ "ticket_subject": t.subject, "reply_excerpt": excerpt(&m.body) });
    let mail = email_event(c, &ctx.keys, &to, EmailTemplate::TicketReply, context, secrets).await?;
    outbox::append(c, &mail).await?;
    Ok(())
}

/// `ticket_status_changed` to the customer, when staff resolve or close the ticket.
pub async fn mail_status(c: &mut PgConnection, ctx: &SupportContext, t: &Ticket) -> Result<(), DomainError> {
    let Some(to) = customer_email(c, t.user_id).await? else { return Ok(()) };
    let context = json!({ "ticket_url": ctx.ticket_url(t.id), "status": t.status });
    let secrets = json!({ "ticket_subject": t.subject });
    let mail = email_event(c, &ctx.keys, &to, EmailTemplate::TicketStatusChanged, context, secrets).await?;
    outbox::append(c, &mail).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_bounded_in_characters() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(EXCERPT_CHARS + 1);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
    }
}
