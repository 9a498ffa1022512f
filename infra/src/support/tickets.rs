//! A customer's own tickets. Every lookup is scoped to the customer: someone else's ticket
//! answers exactly like an unknown id (404 `not_found`).

use std::sync::Arc;

use helium_domain::support::commands::NewTicket;
use helium_domain::support::model::{AuthorType, Ticket, TicketMessage, TicketStatus};
use helium_domain::support::rules;
use helium_domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::context::SupportContext;
use super::notices;
use super::store::tickets::{NewTicketRow, TicketFilter};
use super::store::{messages, tickets};
use crate::paging::{Page, decode_cursor, page_limit, page_of};

pub(crate) fn not_found() -> DomainError {
    DomainError::not_found("no such ticket")
}

#[derive(Clone)]
pub struct Tickets(pub(crate) Arc<SupportContext>);

impl Tickets {
    /// createTicket: the ticket (`open`) with its first message. At most
    /// [`rules::MAX_UNRESOLVED_PER_CUSTOMER`] open or pending tickets at once (409
    /// `invalid_state`); `order_id` must be one of the customer's orders (else 422 naming it,
    /// the same for another customer's order and an unknown one).
    pub async fn create(&self, user_id: Uuid, cmd: &NewTicket) -> Result<(Ticket, TicketMessage), DomainError> {
        crate::transaction!(self.0.db, |tx| {
            if let Some(order_id) = cmd.order_id
                && !tickets::order_of(tx, order_id, user_id).await?
            {
                return Err(DomainError::field("order_id", "invalid_reference", "not one of your orders"));
            }
            tickets::lock_customer(tx, user_id).await?;
            if tickets::count_unresolved(tx, user_id).await? >= rules::MAX_UNRESOLVED_PER_CUSTOMER {
                return Err(DomainError::rejected(
                    ErrorCode::InvalidState,
                    format!(
                        "you have {} open tickets; close or wait for one to be resolved first",
                        rules::MAX_UNRESOLVED_PER_CUSTOMER
                    ),
                ));
            }
            let row = NewTicketRow {
                id: Uuid::now_v7(),
                user_id,
                subject: &cmd.subject,
                priority: cmd.priority,
                order_id: cmd.order_id,
            };
            let ticket = tickets::insert(tx, &row).await?;
            let first = messages::insert(tx, ticket.id, AuthorType::Customer, user_id, false, &cmd.body).await?;
            notices::created(tx, &ticket).await?;
            Ok((ticket, first))
        })
    }

    /// listTickets: my tickets, newest first.
    pub async fn list(
        &self,
        user_id: Uuid,
        status: Option<TicketStatus>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Ticket>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("tickets|{user_id}|{}", status.map_or("", TicketStatus::as_str));
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let filter = TicketFilter { status, user_id: Some(user_id), ..TicketFilter::default() };
        let mut c = self.0.db.conn().await?;
        let rows = tickets::page(&mut c, &filter, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |t| (t.created_at, t.id)))
    }

    /// getTicket: my ticket and its messages, never internal notes.
    pub async fn get(&self, user_id: Uuid, id: Uuid) -> Result<(Ticket, Vec<TicketMessage>), DomainError> {
        let mut c = self.0.db.conn().await?;
        let ticket = tickets::get(&mut c, id, Some(user_id), false).await?.ok_or_else(not_found)?;
        let msgs = messages::of_ticket(&mut c, id, false).await?;
        Ok((ticket, msgs))
    }

    /// replyTicket: a message on my ticket; it becomes staff's turn (`open`), a resolved
    /// ticket reopens, a closed one answers 409 `ticket_closed`.
    pub async fn reply(&self, user_id: Uuid, id: Uuid, body: &str) -> Result<TicketMessage, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let ticket = tickets::get(tx, id, Some(user_id), true).await?.ok_or_else(not_found)?;
            let next = rules::after_customer_reply(ticket.status)?;
            rules::room_for_message(messages::count(tx, id).await?)?;
            let msg = messages::insert(tx, id, AuthorType::Customer, user_id, false, body).await?;
            let updated = tickets::set_status(tx, id, next).await?;
            notices::replied(tx, &updated, &msg).await?;
            if next != ticket.status {
                notices::status_changed(tx, &updated, ticket.status, false).await?;
            }
            Ok(msg)
        })
    }

    /// closeTicket: I am done with my ticket (409 `ticket_closed` when it already is).
    pub async fn close(&self, user_id: Uuid, id: Uuid) -> Result<Ticket, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let ticket = tickets::get(tx, id, Some(user_id), true).await?.ok_or_else(not_found)?;
            let next = rules::customer_close(ticket.status)?;
            let updated = tickets::set_status(tx, id, next).await?;
            notices::status_changed(tx, &updated, ticket.status, false).await?;
            Ok(updated)
        })
    }
}
