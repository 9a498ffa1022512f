//! `wallet.postings` and `wallet.entries`: append only.

use chrono::{DateTime, Utc};
use helium_domain::wallet::model::{Account, LedgerEntry, PostingKind, Wallet};
use helium_domain::wallet::rules::Line;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// What a posting records besides its lines.
#[derive(Debug, Clone, Copy)]
pub struct PostingRow<'a> {
    pub id: Uuid,
    pub kind: PostingKind,
    pub reason: Option<&'a str>,
    pub order_id: Option<Uuid>,
    pub actor: &'a str,
    pub request_key: Option<&'a str>,
}

/// Moves the wallet's balances by `(available, frozen)` unless a bucket would go below zero
/// and, only if it moved, writes the posting and its lines: one statement (money paths are
/// round-trip bound). `None` when the wallet is missing or lacks the money (nothing written).
/// Customer accounts are `user_id`'s.
pub async fn apply_and_insert(
    c: &mut PgConnection,
    p: &PostingRow<'_>,
    user_id: Uuid,
    lines: &[Line],
    (available, frozen): (i64, i64),
) -> DbResult<Option<Wallet>> {
    let accounts: Vec<Account> = lines.iter().map(|l| l.account).collect();
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount).collect();
    let users: Vec<Option<Uuid>> = lines.iter().map(|l| l.account.is_customer().then_some(user_id)).collect();
    Ok(sqlx::query_as!(
        Wallet,
        r#"WITH wallet AS (
               UPDATE wallet.wallets SET available = available + $8, frozen = frozen + $9, updated_at = now()
                WHERE user_id = $7 AND available + $8 >= 0 AND frozen + $9 >= 0
            RETURNING user_id, available, frozen, currency, updated_at),
           posting AS (
               INSERT INTO wallet.postings (id, kind, reason, order_id, actor, request_key)
               SELECT $1::uuid, $2::text, $3::text, $4::uuid, $5::text, $6::text FROM wallet
               RETURNING id),
           entries AS (
               INSERT INTO wallet.entries (posting_id, user_id, account, amount)
               SELECT posting.id, u, a, m FROM posting, unnest($10::uuid[], $11::text[], $12::bigint[]) AS t(u, a, m))
           SELECT user_id AS "user_id!", available AS "available!", frozen AS "frozen!", currency AS "currency!",
                  updated_at AS "updated_at!"
             FROM wallet"#,
        p.id,
        p.kind as PostingKind,
        p.reason,
        p.order_id,
        p.actor,
        p.request_key,
        user_id,
        available,
        frozen,
        &users as &[Option<Uuid>],
        &accounts as &[Account],
        &amounts
    )
    .fetch_optional(ex(c))
    .await?)
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
