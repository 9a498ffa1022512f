//! Support tickets for staff (tag `support`): every ticket, internal notes included.
//! SupportBot may read and reply; internal notes, assignment and status need `tickets.manage`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use helium_domain::support::commands::{StatusChange, message_body};
use helium_domain::support::rules;
use helium_infra::support::store::tickets::TicketFilter;
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::support::dto::*;
use crate::rest::support::handlers::created;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/admin/tickets", operation_id = "adminListTickets", tag = "support",
    summary = "Tickets, newest first",
    params(AdminTicketQuery),
    responses(
        (status = 200, description = "One page of tickets", body = AdminTicketPage),
        (status = 422, description = "validation_failed (status, priority, assignee_id, user_id, q, limit)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_tickets(
    State(state): State<AppState>,
    Query(q): Query<AdminTicketQuery>,
) -> Result<Json<AdminTicketPage>, ApiError> {
    let f = TicketFilter::for_staff(
        q.status.as_deref(),
        q.priority.as_deref(),
        q.assignee_id.as_deref(),
        q.user_id.as_deref(),
        q.q.as_deref(),
    )?;
    let page = state.support.staff.list(&f, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AdminTicketPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/tickets/{id}", operation_id = "adminGetTicket", tag = "support",
    summary = "A ticket with its messages and internal notes",
    params(("id" = Uuid, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The ticket and its messages, oldest first", body = AdminTicketDetail),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_get_ticket(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<AdminTicketDetail>, ApiError> {
    let (ticket, messages) = state.support.staff.get(id).await?;
    Ok(Json(AdminTicketDetail { ticket: ticket.into(), messages: messages.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/tickets/{id}/messages", operation_id = "adminReplyTicket", tag = "support",
    summary = "Reply to a ticket, or add an internal note",
    description = "A reply makes an `open` ticket `pending` (the customer's turn; `pending` and `resolved` stay as they are) \
        and e-mails the customer (`ticket_reply`). \
        With `internal: true` it is a staff-only note: no e-mail, no state change; it needs `tickets.manage` (SupportBot: 403). \
        Plain text, 1–10 000 characters; attachments are not supported. A ticket holds at most 200 messages and notes.",
    params(("id" = Uuid, Path, description = "Ticket id")),
    request_body = AdminReplyTicketRequest,
    responses(
        (status = 201, description = "Sent", body = AdminTicketMessage, headers(("Location" = String, description = "/api/v1/tickets/{id}"))),
        (status = 403, description = "permission_denied (internal note without `tickets.manage`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "ticket_closed; invalid_state (200 messages)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (body)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_reply_ticket(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<AdminReplyTicketRequest>,
) -> Result<Response, ApiError> {
    if req.internal {
        rules::may_write_note(&a.me)?;
    }
    let body = message_body(&req.body)?;
    let msg = state.support.staff.reply(&a.actor, id, &body, req.internal).await?;
    Ok(created(id, AdminTicketMessage::from(msg)))
}

#[utoipa::path(
    post, path = "/api/v1/admin/tickets/{id}/assign", operation_id = "adminAssignTicket", tag = "support",
    summary = "Assign a ticket, or unassign it",
    description = "The assignee must be an active staff member whose role may answer tickets (`tickets.reply`); `null` unassigns.",
    params(("id" = Uuid, Path, description = "Ticket id")),
    request_body = AssignTicketRequest,
    responses(
        (status = 200, description = "Assigned", body = AdminTicket),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "assignee_invalid; validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_assign_ticket(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<AssignTicketRequest>,
) -> Result<Json<AdminTicket>, ApiError> {
    Ok(Json(state.support.staff.assign(&a.actor, id, req.assignee_id).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/tickets/{id}/status", operation_id = "adminSetTicketStatus", tag = "support",
    summary = "Change a ticket's status",
    description = "Allowed: open ⇄ pending, open/pending → resolved, resolved → open, open/pending/resolved → closed. \
        Nothing leaves `closed`; the current status again is refused too. Resolving or closing e-mails the customer \
        (`ticket_status_changed`). A `note` is kept as an internal note and as the audit reason.",
    params(("id" = Uuid, Path, description = "Ticket id")),
    request_body = SetTicketStatusRequest,
    responses(
        (status = 200, description = "Changed", body = AdminTicket),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "invalid_ticket_transition; invalid_state (a note on a ticket with 200 messages)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (status, note)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_set_ticket_status(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<SetTicketStatusRequest>,
) -> Result<Json<AdminTicket>, ApiError> {
    let cmd = StatusChange::new(&req.status, req.note.as_deref())?;
    Ok(Json(state.support.staff.set_status(&a.actor, id, &cmd).await?.into()))
}
