//! Ticket types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a ticket stands; whose turn it is while it is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Staff's turn.
    Open,
    /// The customer's turn.
    Pending,
    /// Staff consider it done; a customer reply reopens it.
    Resolved,
    /// Final: no more replies or changes.
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 4] =
        [TicketStatus::Open, TicketStatus::Pending, TicketStatus::Resolved, TicketStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Open or pending: counts against the customer's cap of live tickets.
    pub fn is_unresolved(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::Pending)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum TicketPriority {
    Low,
    Normal,
    High,
    Urgent,
}

impl TicketPriority {
    pub const ALL: [TicketPriority; 4] =
        [TicketPriority::Low, TicketPriority::Normal, TicketPriority::High, TicketPriority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketPriority::Low => "low",
            TicketPriority::Normal => "normal",
            TicketPriority::High => "high",
            TicketPriority::Urgent => "urgent",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

/// Who wrote a message: the ticket's customer, a staff account or a staff API key (a bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum AuthorType {
    Customer,
    Admin,
    ApiKey,
}

impl AuthorType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorType::Customer => "customer",
            AuthorType::Admin => "admin",
            AuthorType::ApiKey => "api_key",
        }
    }

    pub fn is_staff(self) -> bool {
        self != AuthorType::Customer
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: Uuid,
    pub user_id: Uuid,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub order_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One message of a ticket. `internal` notes are staff-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMessage {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub author_type: AuthorType,
    /// The customer, staff account or API key that wrote it.
    pub author_id: Uuid,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

crate::pg_text!(TicketStatus, TicketPriority, AuthorType);
