//! `wallet.postings` and `wallet.entries`: append only.

use chrono::{DateTime, Utc};
use helium_domain::wallet::model::{Account, LedgerEntry, PostingKind};
use helium_domain::wallet::rules::Line;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn insert_posting(
    c: &mut PgConnection,
    id: Uuid,
    kind: PostingKind,
    reason: Option<&str>,
    order_id: Option<Uuid>,
    actor: &str,
    request_key: Option<&str>,
) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO wallet.postings (id, kind, reason, order_id, actor, request_key) VALUES ($1, $2, $3, $4, $5, $6)"#,
        id,
        kind as PostingKind,
        reason,
        order_id,
        actor,
        request_key
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// The lines of a posting in one statement; customer accounts are `user_id`'s.
pub async fn insert_entries(c: &mut PgConnection, posting_id: Uuid, user_id: Uuid, lines: &[Line]) -> DbResult<()> {
    let accounts: Vec<Account> = lines.iter().map(|l| l.account).collect();
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount).collect();
    let users: Vec<Option<Uuid>> = lines.iter().map(|l| l.account.is_customer().then_some(user_id)).collect();
    sqlx::query!(
        r#"INSERT INTO wallet.entries (posting_id, user_id, account, amount)
           SELECT $1, u, a, m FROM unnest($2::uuid[], $3::text[], $4::bigint[]) AS t(u, a, m)"#,
        posting_id,
        &users as &[Option<Uuid>],
        &accounts as &[Account],
        &amounts
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// The posting a request made, if it made one (retry detection).
pub async fn posting_by_request(c: &mut PgConnection, request_key: &str) -> DbResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!(r#"SELECT id FROM wallet.postings WHERE request_key = $1"#, request_key)
        .fetch_optional(ex(c))
        .await?)
}

/// The first entry a posting made in a customer's wallet (what their ledger lists).
pub async fn customer_entry(c: &mut PgConnection, posting_id: Uuid, user_id: Uuid) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT id FROM wallet.entries WHERE posting_id = $1 AND user_id = $2 ORDER BY id LIMIT 1"#,
        posting_id,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// A customer's ledger, newest first, optionally of one kind and time range.
pub async fn page(
    c: &mut PgConnection,
    user_id: Uuid,
    kind: Option<PostingKind>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> DbResult<Vec<LedgerEntry>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        LedgerEntry,
        r#"SELECT e.id, e.posting_id, p.kind AS "kind: PostingKind", e.account AS "bucket: Account", e.amount,
                  p.reason, p.order_id, e.created_at
             FROM wallet.entries e JOIN wallet.postings p ON p.id = e.posting_id
            WHERE e.user_id = $1
              AND ($2::text IS NULL OR p.kind = $2)
              AND ($3::timestamptz IS NULL OR e.created_at >= $3)
              AND ($4::timestamptz IS NULL OR e.created_at < $4)
              AND ($5::timestamptz IS NULL OR (e.created_at, e.id) < ($5, $6))
            ORDER BY e.created_at DESC, e.id DESC
            LIMIT $7"#,
        user_id,
        kind.map(PostingKind::as_str),
        from,
        to,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}
