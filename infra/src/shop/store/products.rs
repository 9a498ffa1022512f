//! `shop.products` and `shop.product_groups`, read with the terms new sales deliver.

use chrono::{DateTime, Utc};
use helium_domain::shop::commands::{ProductInput, ProductPatch};
use helium_domain::shop::model::{PackageTerms, PackageVersion, Product, TrafficReset};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

struct ProductRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    price: i64,
    currency: String,
    series_id: Uuid,
    on_sale: bool,
    archived: bool,
    sort: i32,
    commission_eligible: bool,
    group_ids: Vec<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version_id: Option<Uuid>,
    version: Option<i32>,
    traffic_bytes: Option<i64>,
    duration_days: Option<i32>,
    speed_limit_mbps: Option<i32>,
    device_limit: Option<i32>,
    traffic_reset: Option<TrafficReset>,
    version_group_ids: Option<Vec<Uuid>>,
    version_created_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
}

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        let current_version = match (r.version_id, r.version, r.traffic_bytes, r.duration_days, r.traffic_reset) {
            (Some(id), Some(version), Some(traffic_bytes), Some(duration_days), Some(traffic_reset)) => {
                Some(PackageVersion {
                    id,
                    series_id: r.series_id,
                    version,
                    terms: PackageTerms {
                        traffic_bytes,
                        duration_days,
                        speed_limit_mbps: r.speed_limit_mbps,
                        device_limit: r.device_limit,
                        traffic_reset,
                        group_ids: r.version_group_ids.unwrap_or_default(),
                    },
                    created_at: r.version_created_at.unwrap_or(r.created_at),
                    published_at: r.published_at,
                })
            }
            _ => None,
        };
        Product {
            id: r.id,
            name: r.name,
            description: r.description,
            price: r.price,
            currency: r.currency,
            series_id: r.series_id,
            on_sale: r.on_sale,
            archived: r.archived,
            sort: r.sort,
            commission_eligible: r.commission_eligible,
            group_ids: r.group_ids,
            current_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Who reads a product: staff see everything; otherwise only products on sale for one of
/// the given groups, or for one of a customer's groups (looked up in the same statement).
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    Staff,
    Groups(&'a [Uuid]),
    CustomerOf(Uuid),
}

/// One product with its groups and current terms, if `audience` may see it.
pub async fn get(c: &mut PgConnection, id: Uuid, audience: Audience<'_>) -> DbResult<Option<Product>> {
    let (staff, groups, customer) = match audience {
        Audience::Staff => (true, &[][..], None),
        Audience::Groups(g) => (false, g, None),
        Audience::CustomerOf(u) => (false, &[][..], Some(u)),
    };
    let row = sqlx::query_as!(
        ProductRow,
        r#"SELECT p.id, p.name, p.description, p.price, p.currency, p.series_id, p.on_sale, p.archived, p.sort,
                  p.commission_eligible,
                  coalesce(array(SELECT pg.group_id FROM shop.product_groups pg WHERE pg.product_id = p.id ORDER BY pg.group_id), '{}') AS "group_ids!",
                  p.created_at, p.updated_at,
                  v.id AS "version_id?", v.version AS "version?", v.traffic_bytes AS "traffic_bytes?",
                  v.duration_days AS "duration_days?", v.speed_limit_mbps, v.device_limit,
                  v.traffic_reset AS "traffic_reset?: TrafficReset", v.group_ids AS "version_group_ids?",
                  v.created_at AS "version_created_at?", v.published_at
             FROM shop.products p
             JOIN shop.package_series s ON s.id = p.series_id
             LEFT JOIN shop.package_versions v ON v.id = s.current_version_id
            WHERE p.id = $1
              AND ($2::bool OR (p.on_sale AND NOT p.archived AND v.id IS NOT NULL AND NOT s.archived
                   AND EXISTS (SELECT 1 FROM shop.product_groups pg
                                WHERE pg.product_id = p.id
                                  AND (pg.group_id = ANY ($3::uuid[])
                                       OR pg.group_id IN (SELECT m.group_id FROM shop.customer_group_members m
                                                           WHERE m.user_id = $4::uuid)))))"#,
        id,
        staff,
        groups,
        customer
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(Into::into))
}

/// Products in `sort` order (then newest); customers: on sale for one of `visible_to`.
/// Staff filters: `on_sale`, `series_id`. Keyset by (sort, created_at, id).
pub async fn list(
    c: &mut PgConnection,
    visible_to: Option<&[Uuid]>,
    on_sale: Option<bool>,
    series_id: Option<Uuid>,
    offset: i64,
    limit: i64,
) -> DbResult<Vec<Product>> {
    let rows = sqlx::query_as!(
        ProductRow,
        r#"SELECT p.id, p.name, p.description, p.price, p.currency, p.series_id, p.on_sale, p.archived, p.sort,
                  p.commission_eligible,
                  coalesce(array(SELECT pg.group_id FROM shop.product_groups pg WHERE pg.product_id = p.id ORDER BY pg.group_id), '{}') AS "group_ids!",
                  p.created_at, p.updated_at,
                  v.id AS "version_id?", v.version AS "version?", v.traffic_bytes AS "traffic_bytes?",
                  v.duration_days AS "duration_days?", v.speed_limit_mbps, v.device_limit,
                  v.traffic_reset AS "traffic_reset?: TrafficReset", v.group_ids AS "version_group_ids?",
                  v.created_at AS "version_created_at?", v.published_at
             FROM shop.products p
             JOIN shop.package_series s ON s.id = p.series_id
             LEFT JOIN shop.package_versions v ON v.id = s.current_version_id
            WHERE ($1::uuid[] IS NULL OR (p.on_sale AND NOT p.archived AND v.id IS NOT NULL AND NOT s.archived
                   AND EXISTS (SELECT 1 FROM shop.product_groups pg WHERE pg.product_id = p.id AND pg.group_id = ANY ($1))))
              AND ($2::boolean IS NULL OR p.on_sale = $2)
              AND ($3::uuid IS NULL OR p.series_id = $3)
              AND ($1::uuid[] IS NOT NULL OR NOT p.archived)
            ORDER BY p.sort, p.created_at DESC, p.id DESC
            OFFSET $4 LIMIT $5"#,
        visible_to,
        on_sale,
        series_id,
        offset,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn insert(c: &mut PgConnection, id: Uuid, p: &ProductInput, currency: &str) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO shop.products (id, name, description, price, currency, series_id, on_sale, sort, commission_eligible)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        id,
        p.name,
        p.description,
        p.price,
        currency,
        p.series_id,
        p.on_sale,
        p.sort,
        p.commission_eligible
    )
    .execute(ex(c))
    .await?;
    set_groups(c, id, &p.group_ids).await
}

pub async fn update(c: &mut PgConnection, id: Uuid, p: &ProductPatch) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE shop.products
              SET name = coalesce($2, name),
                  description = CASE WHEN $3 THEN $4 ELSE description END,
                  price = coalesce($5, price),
                  series_id = coalesce($6, series_id),
                  on_sale = coalesce($7, on_sale),
                  sort = coalesce($8, sort),
                  commission_eligible = coalesce($9, commission_eligible),
                  updated_at = now()
            WHERE id = $1 AND NOT archived"#,
        id,
        p.name,
        p.description.is_some(),
        p.description.clone().flatten(),
        p.price,
        p.series_id,
        p.on_sale,
        p.sort,
        p.commission_eligible
    )
    .execute(ex(c))
    .await?;
    if done.rows_affected() == 1
        && let Some(groups) = &p.group_ids
    {
        set_groups(c, id, groups).await?;
    }
    Ok(done.rows_affected() == 1)
}

pub async fn archive(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE shop.products SET archived = true, on_sale = false, updated_at = now() WHERE id = $1 AND NOT archived"#,
        id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn set_groups(c: &mut PgConnection, id: Uuid, group_ids: &[Uuid]) -> DbResult<()> {
    sqlx::query!(
        r#"DELETE FROM shop.product_groups WHERE product_id = $1 AND NOT (group_id = ANY ($2))"#,
        id,
        group_ids
    )
    .execute(ex(c))
    .await?;
    sqlx::query!(
        r#"INSERT INTO shop.product_groups (product_id, group_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING"#,
        id,
        group_ids
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
