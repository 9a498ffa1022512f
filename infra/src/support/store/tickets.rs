//! `support.tickets`. Customer lookups always take the owner: another customer's ticket is
//! the same `None` as an unknown id.

use chrono::{DateTime, Utc};
use helium_domain::DomainError;
use helium_domain::support::commands::{priority_filter, status_filter, subject_search};
use helium_domain::support::model::{Ticket, TicketPriority, TicketStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub struct NewTicketRow<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub subject: &'a str,
    pub priority: TicketPriority,
    pub order_id: Option<Uuid>,
}

pub async fn insert(c: &mut PgConnection, t: &NewTicketRow<'_>) -> DbResult<Ticket> {
    Ok(sqlx::query_as!(
        Ticket,
        r#"INSERT INTO support.tickets (id, user_id, subject, priority, order_id)
           VALUES ($1, $2, $3, $4, $5)
           RETURNING id, user_id, subject, status AS "status: TicketStatus", priority AS "priority: TicketPriority",
                     order_id, assignee_id, created_at, updated_at, closed_at"#,
        t.id,
        t.user_id,
        t.subject,
        t.priority.as_str(),
        t.order_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// Serialises ticket creation per customer (the live-ticket cap) for the transaction.
pub async fn lock_customer(c: &mut PgConnection, user_id: Uuid) -> DbResult<()> {
    sqlx::query!(r#"SELECT pg_advisory_xact_lock(hashtextextended('support.tickets:' || $1::uuid::text, 0))"#, user_id)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Open or pending tickets of a customer.
pub async fn count_unresolved(c: &mut PgConnection, user_id: Uuid) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM support.tickets WHERE user_id = $1 AND status IN ('open', 'pending')"#,
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// A ticket: the customer's own when `owner` is given (staff pass `None`); locked for the
/// caller's transaction when `lock`.
pub async fn get(c: &mut PgConnection, id: Uuid, owner: Option<Uuid>, lock: bool) -> DbResult<Option<Ticket>> {
    if lock {
        return Ok(sqlx::query_as!(
            Ticket,
            r#"SELECT id, user_id, subject, status AS "status: TicketStatus", priority AS "priority: TicketPriority",
                      order_id, assignee_id, created_at, updated_at, closed_at
                 FROM support.tickets WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) FOR UPDATE"#,
            id,
            owner
        )
        .fetch_optional(ex(c))
        .await?);
    }
    Ok(sqlx::query_as!(
        Ticket,
        r#"SELECT id, user_id, subject, status AS "status: TicketStatus", priority AS "priority: TicketPriority",
                  order_id, assignee_id, created_at, updated_at, closed_at
             FROM support.tickets WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)"#,
        id,
        owner
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Sets the status of a ticket the caller holds locked (`closed_at` follows it).
pub async fn set_status(c: &mut PgConnection, id: Uuid, status: TicketStatus) -> DbResult<Ticket> {
    Ok(sqlx::query_as!(
        Ticket,
        r#"UPDATE support.tickets
              SET status = $2, updated_at = now(),
                  closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE NULL END
            WHERE id = $1
        RETURNING id, user_id, subject, status AS "status: TicketStatus", priority AS "priority: TicketPriority",
                  order_id, assignee_id, created_at, updated_at, closed_at"#,
        id,
        status.as_str()
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn set_assignee(c: &mut PgConnection, id: Uuid, assignee: Option<Uuid>) -> DbResult<Ticket> {
    Ok(sqlx::query_as!(
        Ticket,
        r#"UPDATE support.tickets SET assignee_id = $2, updated_at = now() WHERE id = $1
        RETURNING id, user_id, subject, status AS "status: TicketStatus", priority AS "priority: TicketPriority",
                  order_id, assignee_id, created_at, updated_at, closed_at"#,
        id,
        assignee
    )
    .fetch_one(ex(c))
    .await?)
}

/// Filters of a ticket list; `user_id` is the owner for customers.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<TicketPriority>,
    pub assignee_id: Option<Uuid>,
    /// Only tickets nobody is assigned to (`assignee_id=none`).
    pub unassigned: bool,
    pub user_id: Option<Uuid>,
    /// An escaped ILIKE pattern over subjects.
    pub subject_like: Option<String>,
}

impl TicketFilter {
    /// The filters of adminListTickets from raw query values (blank = absent), validated the
    /// same way for REST and gRPC.
    pub fn for_staff(
        status: Option<&str>,
        priority: Option<&str>,
        assignee_id: Option<&str>,
        user_id: Option<&str>,
        q: Option<&str>,
    ) -> Result<Self, DomainError> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.filter(|s| !s.trim().is_empty())
        }
        let uuid = |field: &str, v: Option<&str>| {
            present(v)
                .map(|s| s.trim().parse::<Uuid>().map_err(|_| DomainError::field(field, "invalid_format", "a UUID")))
                .transpose()
        };
        // `none` asks for the unassigned queue; anything else must be a staff id.
        let unassigned = present(assignee_id).is_some_and(|a| a.trim().eq_ignore_ascii_case("none"));
        Ok(Self {
            status: status_filter(present(status))?,
            priority: priority_filter(present(priority))?,
            assignee_id: if unassigned { None } else { uuid("assignee_id", assignee_id)? },
            unassigned,
            user_id: uuid("user_id", user_id)?,
            subject_like: subject_search(present(q))?,
        })
    }
}

/// Newest first by `(created_at, id)`, after the cursor.
pub async fn page(
    c: &mut PgConnection,
    f: &TicketFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Ticket>> {
    let (after_at, after_id) = after.unzip();
    Ok(sqlx::query_as!(
        Ticket,
        r#"SELECT id, user_id, subject, status AS "status: TicketStatus", priority AS "priority: TicketPriority",
                  order_id, assignee_id, created_at, updated_at, closed_at
             FROM support.tickets
            WHERE ($1::text IS NULL OR status = $1)
              AND ($2::text IS NULL OR priority = $2)
              AND ($3::uuid IS NULL OR assignee_id = $3)
              AND (NOT $9::bool OR assignee_id IS NULL)
              AND ($4::uuid IS NULL OR user_id = $4)
              AND ($5::text IS NULL OR subject ILIKE $5)
              AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $8"#,
        f.status.map(TicketStatus::as_str),
        f.priority.map(TicketPriority::as_str),
        f.assignee_id,
        f.user_id,
        f.subject_like,
        after_at,
        after_id,
        limit,
        f.unassigned
    )
    .fetch_all(ex(c))
    .await?)
}

/// Whether `order_id` is one of `user_id`'s orders.
pub async fn order_of(c: &mut PgConnection, order_id: Uuid, user_id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM shop.orders WHERE id = $1 AND user_id = $2) AS "found!""#,
        order_id,
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}
