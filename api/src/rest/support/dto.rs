//! Ticket request and response bodies, for customers and staff. Customers never see
//! internal notes, assignees or which staff account answered.

use chrono::{DateTime, Utc};
use helium_domain::support::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A ticket as its customer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: Uuid,
    pub subject: String,
    /// `open` (staff's turn), `pending` (your turn), `resolved` or `closed` (final).
    pub status: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    pub order_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<m::Ticket> for Ticket {
    fn from(t: m::Ticket) -> Self {
        Self {
            id: t.id,
            subject: t.subject,
            status: t.status.as_str().to_owned(),
            priority: t.priority.as_str().to_owned(),
            order_id: t.order_id,
            created_at: t.created_at,
            updated_at: t.updated_at,
            closed_at: t.closed_at,
        }
    }
}

/// A message as the customer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketMessage {
    pub id: Uuid,
    /// `customer` (you) or `staff`.
    pub author: String,
    /// Plain text.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<m::TicketMessage> for TicketMessage {
    fn from(msg: m::TicketMessage) -> Self {
        let author = if msg.author_type.is_staff() { "staff" } else { "customer" };
        Self { id: msg.id, author: author.to_owned(), body: msg.body, created_at: msg.created_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    /// Oldest first.
    pub messages: Vec<TicketMessage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<Ticket>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    /// One line, 1–200 characters.
    #[schema(max_length = 200)]
    pub subject: String,
    /// Plain text, 1–10 000 characters; no control characters but line feed and tab.
    #[schema(max_length = 10000)]
    pub body: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// One of your orders, when the question is about it.
    pub order_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyTicketRequest {
    /// Plain text, 1–10 000 characters; no control characters but line feed and tab.
    #[schema(max_length = 10000)]
    pub body: String,
}

// ---- staff -----------------------------------------------------------------------------------

/// A ticket as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminTicket {
    pub id: Uuid,
    /// The customer.
    pub user_id: Uuid,
    pub subject: String,
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    pub order_id: Option<Uuid>,
    /// The staff member in charge.
    pub assignee_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<m::Ticket> for AdminTicket {
    fn from(t: m::Ticket) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            subject: t.subject,
            status: t.status.as_str().to_owned(),
            priority: t.priority.as_str().to_owned(),
            order_id: t.order_id,
            assignee_id: t.assignee_id,
            created_at: t.created_at,
            updated_at: t.updated_at,
            closed_at: t.closed_at,
        }
    }
}

/// A message or internal note as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminTicketMessage {
    pub id: Uuid,
    /// `customer`, `admin` (a staff account) or `api_key` (a bot).
    pub author_type: String,
    /// The customer, staff account or API key.
    pub author_id: Uuid,
    /// A staff-only note, never shown to the customer.
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<m::TicketMessage> for AdminTicketMessage {
    fn from(msg: m::TicketMessage) -> Self {
        Self {
            id: msg.id,
            author_type: msg.author_type.as_str().to_owned(),
            author_id: msg.author_id,
            internal: msg.internal,
            body: msg.body,
            created_at: msg.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminTicketDetail {
    pub ticket: AdminTicket,
    /// Oldest first, internal notes included.
    pub messages: Vec<AdminTicketMessage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminTicketPage {
    pub items: Vec<AdminTicket>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminTicketQuery {
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: Option<String>,
    /// Tickets assigned to this staff member, or `none` for tickets nobody is assigned to.
    pub assignee_id: Option<String>,
    /// Tickets of this customer.
    pub user_id: Option<String>,
    /// Text in the subject (case-insensitive, 1–100 characters).
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminReplyTicketRequest {
    /// Plain text, 1–10 000 characters; no control characters but line feed and tab.
    #[schema(max_length = 10000)]
    pub body: String,
    /// A staff-only note (needs `tickets.manage`): no e-mail, no state change.
    #[serde(default)]
    pub internal: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignTicketRequest {
    /// An active staff member who answers tickets; `null` unassigns. Required: an empty
    /// body must not unassign by accident.
    #[serde(deserialize_with = "present_or_null")]
    #[schema(required = true)]
    pub assignee_id: Option<Uuid>,
}

/// A nullable field that must be present (serde would default a missing `Option` to `None`).
fn present_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
    Option::<Uuid>::deserialize(d)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTicketStatusRequest {
    /// `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    /// Why; kept as an internal note and in the audit log.
    #[schema(max_length = 10000)]
    pub note: Option<String>,
}
