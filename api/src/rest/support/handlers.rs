//! My support tickets (tag `support`). Another customer's ticket answers 404, exactly like
//! an unknown id.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::support::commands::{NewTicket, message_body, status_filter};
use serde::Serialize;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

/// 201 with `Location: /api/v1/tickets/{ticket}`.
pub fn created<T: Serialize>(ticket: Uuid, body: T) -> Response {
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(l) = HeaderValue::from_str(&format!("/api/v1/tickets/{ticket}")) {
        res.headers_mut().insert(header::LOCATION, l);
    }
    res
}

#[utoipa::path(
    post, path = "/api/v1/tickets", operation_id = "createTicket", tag = "support",
    summary = "Open a support ticket",
    description = "Opens a ticket (`open`: staff's turn) with its first message. Plain text only; attachments are not supported. \
        `subject` is one line of 1–200 characters, `body` 1–10 000 characters (Unicode characters, not bytes) after trimming; \
        control characters other than line feed and tab are refused. `order_id`, when given, must be one of your orders \
        (422 naming `order_id` otherwise, whether the order is someone else's or unknown). At most 20 tickets may be open or \
        pending at once: the 21st answers 409 `invalid_state` until one is resolved or closed.",
    security(("customerBearer" = [])),
    request_body = CreateTicketRequest,
    responses(
        (status = 201, description = "Opened", body = Ticket, headers(("Location" = String, description = "/api/v1/tickets/{id}"))),
        (status = 409, description = "invalid_state: 20 tickets already open or pending", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (subject, body, priority, order_id)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn create_ticket(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<CreateTicketRequest>,
) -> Result<Response, ApiError> {
    let cmd = NewTicket::new(&req.subject, &req.body, &req.priority, req.order_id)?;
    let (ticket, _) = state.support.tickets.create(me.user_id, &cmd).await?;
    Ok(created(ticket.id, Ticket::from(ticket)))
}

#[utoipa::path(
    get, path = "/api/v1/tickets", operation_id = "listTickets", tag = "support",
    summary = "My tickets, newest first",
    security(("customerBearer" = [])),
    params(TicketQuery),
    responses(
        (status = 200, description = "One page of tickets", body = TicketPage),
        (status = 422, description = "validation_failed (status, limit)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn list_tickets(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<TicketQuery>,
) -> Result<Json<TicketPage>, ApiError> {
    let status = status_filter(params::present(q.status).as_deref())?;
    let page = state.support.tickets.list(me.user_id, status, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(TicketPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    get, path = "/api/v1/tickets/{id}", operation_id = "getTicket", tag = "support",
    summary = "My ticket with its messages",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "The ticket and its messages, oldest first", body = TicketDetail),
        (status = 404, description = "not_found (also another customer's ticket)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get_ticket(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<TicketDetail>, ApiError> {
    let (ticket, messages) = state.support.tickets.get(me.user_id, id).await?;
    Ok(Json(TicketDetail { ticket: ticket.into(), messages: messages.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/messages", operation_id = "replyTicket", tag = "support",
    summary = "Reply on my ticket",
    description = "It becomes staff's turn (`open`); a `resolved` ticket reopens. Plain text, 1–10 000 characters. \
        A ticket holds at most 200 messages (409 `invalid_state` after that: open a new ticket).",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Ticket id")),
    request_body = ReplyTicketRequest,
    responses(
        (status = 201, description = "Sent", body = TicketMessage, headers(("Location" = String, description = "/api/v1/tickets/{id}"))),
        (status = 404, description = "not_found (also another customer's ticket)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "ticket_closed; invalid_state (200 messages)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (body)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn reply_ticket(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ReplyTicketRequest>,
) -> Result<Response, ApiError> {
    let body = message_body(&req.body)?;
    let msg = state.support.tickets.reply(me.user_id, id, &body).await?;
    Ok(created(id, TicketMessage::from(msg)))
}

#[utoipa::path(
    post, path = "/api/v1/tickets/{id}/close", operation_id = "closeTicket", tag = "support",
    summary = "Close my ticket",
    description = "From `open`, `pending` or `resolved`. Closed is final.",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Ticket id")),
    responses(
        (status = 200, description = "Closed", body = Ticket),
        (status = 404, description = "not_found (also another customer's ticket)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "ticket_closed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn close_ticket(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<Ticket>, ApiError> {
    Ok(Json(state.support.tickets.close(me.user_id, id).await?.into()))
}
