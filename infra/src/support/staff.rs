//! Tickets for staff: every ticket, internal notes included. Each write is audited in its
//! transaction. Permission checks (who may write internal notes, assign, change status) are
//! the adapters' (the route guard and `tickets.manage`); these use cases trust their actor.

use std::sync::Arc;

use helium_domain::admin::{AdminStatus, Permission};
use helium_domain::audit::{Actor, ActorKind, AuditAction, Change};
use helium_domain::support::commands::StatusChange;
use helium_domain::support::model::{AuthorType, Ticket, TicketMessage};
use helium_domain::support::rules;
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::context::SupportContext;
use super::notices;
use super::store::tickets::TicketFilter;
use super::store::{messages, tickets};
use super::tickets::not_found;
use crate::audit;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

#[derive(Clone)]
pub struct StaffTickets(pub(crate) Arc<SupportContext>);

/// The author of a staff message: the staff account, or the API key acting.
fn author(actor: &Actor) -> Result<(AuthorType, Uuid), DomainError> {
    let kind = match actor.kind {
        ActorKind::Admin => AuthorType::Admin,
        ActorKind::ApiKey => AuthorType::ApiKey,
        ActorKind::Cli | ActorKind::System => {
            return Err(DomainError::Internal("ticket messages need a staff account or key".into()));
        }
    };
    let id = actor.id.ok_or_else(|| DomainError::Internal("staff actor without an id".into()))?;
    Ok((kind, id))
}

impl StaffTickets {
    /// adminListTickets, newest first.
    pub async fn list(
        &self,
        filter: &TicketFilter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Ticket>, DomainError> {
        let limit = page_limit(limit)?;
        let opt = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
        let scope = format!(
            "admin-tickets|{}|{}|{}{}|{}|{}",
            filter.status.map_or("", |s| s.as_str()),
            filter.priority.map_or("", |p| p.as_str()),
            opt(filter.assignee_id),
            if filter.unassigned { "none" } else { "" },
            opt(filter.user_id),
            filter.subject_like.as_deref().unwrap_or_default()
        );
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = tickets::page(&mut c, filter, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |t| (t.created_at, t.id)))
    }

    /// adminGetTicket: the ticket and every message, internal notes included.
    pub async fn get(&self, id: Uuid) -> Result<(Ticket, Vec<TicketMessage>), DomainError> {
        let mut c = self.0.db.conn().await?;
        let ticket = tickets::get(&mut c, id, None, false).await?.ok_or_else(not_found)?;
        let msgs = messages::of_ticket(&mut c, id, true).await?;
        Ok((ticket, msgs))
    }

    /// adminReplyTicket: a reply (the customer's turn next, `ticket.replied`, the
    /// `ticket_reply` e-mail) or an internal note (nothing but the note and its audit row).
    /// A closed ticket answers 409 `ticket_closed`.
    pub async fn reply(
        &self,
        actor: &Actor,
        id: Uuid,
        body: &str,
        internal: bool,
    ) -> Result<TicketMessage, DomainError> {
        let (author_type, author_id) = author(actor)?;
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let ticket = tickets::get(tx, id, None, true).await?.ok_or_else(not_found)?;
            let next = rules::after_staff_message(ticket.status, internal)?;
            rules::room_for_message(messages::count(tx, id).await?)?;
            let msg = messages::insert(tx, id, author_type, author_id, internal, body).await?;
            let updated = tickets::set_status(tx, id, next).await?;
            let action = if internal { AuditAction::TicketNote } else { AuditAction::TicketReply };
            let change = Change::new(action, "ticket", id)
                .before(json!({ "status": ticket.status }))
                .after(json!({ "status": updated.status, "message_id": msg.id }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            if !internal {
                notices::replied(tx, &updated, &msg).await?;
                if next != ticket.status {
                    notices::status_changed(tx, &updated, ticket.status, true).await?;
                }
                notices::mail_reply(tx, ctx, &updated, &msg).await?;
            }
            Ok(msg)
        })
    }

    /// adminAssignTicket: to an active staff member who may answer tickets, or to nobody
    /// (`None`). Anyone else is 422 `assignee_invalid`.
    pub async fn assign(&self, actor: &Actor, id: Uuid, assignee: Option<Uuid>) -> Result<Ticket, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let ticket = tickets::get(tx, id, None, true).await?.ok_or_else(not_found)?;
            if let Some(a) = assignee {
                let eligible = crate::admin::store::admins::by_id(tx, a)
                    .await?
                    .is_some_and(|s| s.status == AdminStatus::Active && s.role.can(Permission::TicketsReply));
                if !eligible {
                    return Err(DomainError::rejected(
                        ErrorCode::AssigneeInvalid,
                        "the assignee must be an active staff member who answers tickets",
                    ));
                }
            }
            let updated = tickets::set_assignee(tx, id, assignee).await?;
            let change = Change::new(AuditAction::TicketAssign, "ticket", id)
                .before(json!({ "assignee_id": ticket.assignee_id }))
                .after(json!({ "assignee_id": updated.assignee_id }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(updated)
        })
    }

    /// adminSetTicketStatus under [`rules::staff_set`] (409 `invalid_ticket_transition`). The
    /// note, if any, is kept as an internal note and as the audit reason; the customer is
    /// e-mailed when the ticket is resolved or closed.
    pub async fn set_status(&self, actor: &Actor, id: Uuid, cmd: &StatusChange) -> Result<Ticket, DomainError> {
        let (author_type, author_id) = author(actor)?;
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let ticket = tickets::get(tx, id, None, true).await?.ok_or_else(not_found)?;
            let next = rules::staff_set(ticket.status, cmd.status)?;
            let updated = tickets::set_status(tx, id, next).await?;
            if let Some(note) = &cmd.note {
                rules::room_for_message(messages::count(tx, id).await?)?;
                messages::insert(tx, id, author_type, author_id, true, note).await?;
            }
            let mut change = Change::new(AuditAction::TicketStatus, "ticket", id)
                .before(json!({ "status": ticket.status }))
                .after(json!({ "status": updated.status }));
            if let Some(note) = &cmd.note {
                change = change.reason(note);
            }
            audit::append(tx, &ctx.keys, actor, change).await?;
            notices::status_changed(tx, &updated, ticket.status, true).await?;
            if rules::notify_customer_of(updated.status) {
                notices::mail_status(tx, ctx, &updated).await?;
            }
            Ok(updated)
        })
    }
}
