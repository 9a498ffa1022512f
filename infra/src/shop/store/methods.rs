//! `shop.payment_methods`: the merchant key only ever sealed.

use chrono::{DateTime, Utc};
use helium_domain::shop::commands::{PaymentMethodInput, PaymentMethodPatch};
use helium_domain::shop::model::PaymentMethod;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn insert(
    c: &mut PgConnection,
    id: Uuid,
    m: &PaymentMethodInput,
    key_sealed: &str,
) -> DbResult<PaymentMethod> {
    Ok(sqlx::query_as!(
        PaymentMethod,
        r#"INSERT INTO shop.payment_methods (id, kind, name, channel, url, pid, key_sealed, enabled, sort)
           VALUES ($1, 'epay', $2, $3, $4, $5, $6, $7, $8)
        RETURNING id, kind, name, channel, url, pid, enabled, sort, created_at, updated_at"#,
        id,
        m.name,
        m.channel,
        m.url,
        m.pid,
        key_sealed,
        m.enabled,
        m.sort
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn get(c: &mut PgConnection, id: Uuid) -> DbResult<Option<PaymentMethod>> {
    Ok(sqlx::query_as!(
        PaymentMethod,
        r#"SELECT id, kind, name, channel, url, pid, enabled, sort, created_at, updated_at
             FROM shop.payment_methods WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The method with its sealed key (gateway calls only).
pub async fn with_key(c: &mut PgConnection, id: Uuid) -> DbResult<Option<(PaymentMethod, String)>> {
    let row = sqlx::query!(
        r#"SELECT id, kind, name, channel, url, pid, enabled, sort, created_at, updated_at, key_sealed
             FROM shop.payment_methods WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(|r| {
        let m = PaymentMethod {
            id: r.id,
            kind: r.kind,
            name: r.name,
            channel: r.channel,
            url: r.url,
            pid: r.pid,
            enabled: r.enabled,
            sort: r.sort,
            created_at: r.created_at,
            updated_at: r.updated_at,
        };
        (m, r.key_sealed)
    }))
}

pub async fn update(
    c: &mut PgConnection,
    id: Uuid,
    p: &PaymentMethodPatch,
    key_sealed: Option<&str>,
) -> DbResult<Option<PaymentMethod>> {
    Ok(sqlx::query_as!(
        PaymentMethod,
        r#"UPDATE shop.payment_methods
              SET name = coalesce($2, name), channel = coalesce($3, channel), url = coalesce($4, url),
                  pid = coalesce($5, pid), key_sealed = coalesce($6, key_sealed), enabled = coalesce($7, enabled),
                  sort = coalesce($8, sort), updated_at = now()
            WHERE id = $1
        RETURNING id, kind, name, channel, url, pid, enabled, sort, created_at, updated_at"#,
        id,
        p.name,
        p.channel,
        p.url,
        p.pid,
        key_sealed,
        p.enabled,
        p.sort
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Every method (staff) or the enabled ones (customers), in `sort` order.
pub async fn list(
    c: &mut PgConnection,
    enabled_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<PaymentMethod>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        PaymentMethod,
        r#"SELECT id, kind, name, channel, url, pid, enabled, sort, created_at, updated_at FROM shop.payment_methods
            WHERE (NOT $1 OR enabled)
              AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
            ORDER BY created_at DESC, id DESC LIMIT $4"#,
        enabled_only,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}
