//! `support.messages`: replies and staff-only internal notes.

use helium_domain::support::model::{AuthorType, TicketMessage};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn insert(
    c: &mut PgConnection,
    ticket_id: Uuid,
    author_type: AuthorType,
    author_id: Uuid,
    internal: bool,
    body: &str,
) -> DbResult<TicketMessage> {
    Ok(sqlx::query_as!(
        TicketMessage,
        r#"INSERT INTO support.messages (id, ticket_id, author_type, author_id, internal, body)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, ticket_id, author_type AS "author_type: AuthorType", author_id, internal, body, created_at"#,
        Uuid::now_v7(),
        ticket_id,
        author_type.as_str(),
        author_id,
        internal,
        body
    )
    .fetch_one(ex(c))
    .await?)
}

/// A ticket's messages, oldest first; internal notes only when `with_internal`.
pub async fn of_ticket(c: &mut PgConnection, ticket_id: Uuid, with_internal: bool) -> DbResult<Vec<TicketMessage>> {
    Ok(sqlx::query_as!(
        TicketMessage,
        r#"SELECT id, ticket_id, author_type AS "author_type: AuthorType", author_id, internal, body, created_at
             FROM support.messages
            WHERE ticket_id = $1 AND ($2 OR NOT internal)
            ORDER BY created_at, id"#,
        ticket_id,
        with_internal
    )
    .fetch_all(ex(c))
    .await?)
}

/// How many messages (notes included) a ticket holds.
pub async fn count(c: &mut PgConnection, ticket_id: Uuid) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM support.messages WHERE ticket_id = $1"#, ticket_id)
        .fetch_one(ex(c))
        .await?)
}
