//! `shop.customer_groups` and manual memberships.

use chrono::{DateTime, Utc};
use helium_domain::shop::model::CustomerGroup;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn insert(c: &mut PgConnection, id: Uuid, name: &str, description: Option<&str>) -> DbResult<CustomerGroup> {
    Ok(sqlx::query_as!(
        CustomerGroup,
        r#"INSERT INTO shop.customer_groups (id, name, description) VALUES ($1, $2, $3)
        RETURNING id, name, description, is_default, is_public, created_at, updated_at"#,
        id,
        name,
        description
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn get(c: &mut PgConnection, id: Uuid) -> DbResult<Option<CustomerGroup>> {
    Ok(sqlx::query_as!(
        CustomerGroup,
        r#"SELECT id, name, description, is_default, is_public, created_at, updated_at
             FROM shop.customer_groups WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn lock(c: &mut PgConnection, id: Uuid) -> DbResult<Option<CustomerGroup>> {
    Ok(sqlx::query_as!(
        CustomerGroup,
        r#"SELECT id, name, description, is_default, is_public, created_at, updated_at
             FROM shop.customer_groups WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn update(
    c: &mut PgConnection,
    id: Uuid,
    name: Option<&str>,
    description: Option<Option<&str>>,
) -> DbResult<Option<CustomerGroup>> {
    Ok(sqlx::query_as!(
        CustomerGroup,
        r#"UPDATE shop.customer_groups
              SET name = coalesce($2, name),
                  description = CASE WHEN $3 THEN $4 ELSE description END,
                  updated_at = now()
            WHERE id = $1
        RETURNING id, name, description, is_default, is_public, created_at, updated_at"#,
        id,
        name,
        description.is_some(),
        description.flatten()
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Whether anything still refers to the group (members, products, package versions, node clients).
pub async fn in_use(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT (EXISTS (SELECT 1 FROM shop.customer_group_members WHERE group_id = $1)
                OR EXISTS (SELECT 1 FROM shop.product_groups WHERE group_id = $1)
                OR EXISTS (SELECT 1 FROM shop.package_versions WHERE $1 = ANY (group_ids))
                OR EXISTS (SELECT 1 FROM telecom.node_clients WHERE $1 = ANY (group_ids))) AS "used!""#,
        id
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn delete(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(r#"DELETE FROM shop.customer_groups WHERE id = $1"#, id).execute(ex(c)).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn page(
    c: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<CustomerGroup>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        CustomerGroup,
        r#"SELECT id, name, description, is_default, is_public, created_at, updated_at FROM shop.customer_groups
            WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2))
            ORDER BY created_at DESC, id DESC LIMIT $3"#,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// How many of `ids` exist.
pub async fn count_existing(c: &mut PgConnection, ids: &[Uuid]) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM shop.customer_groups WHERE id = ANY ($1)"#, ids)
        .fetch_one(ex(c))
        .await?)
}

/// A customer's manual groups.
pub async fn of_user(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT group_id FROM shop.customer_group_members WHERE user_id = $1 ORDER BY group_id"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

/// Replaces a customer's manual groups.
pub async fn set_for_user(c: &mut PgConnection, user_id: Uuid, group_ids: &[Uuid]) -> DbResult<()> {
    sqlx::query!(
        r#"DELETE FROM shop.customer_group_members WHERE user_id = $1 AND NOT (group_id = ANY ($2))"#,
        user_id,
        group_ids
    )
    .execute(ex(c))
    .await?;
    sqlx::query!(
        r#"INSERT INTO shop.customer_group_members (user_id, group_id) SELECT $1, unnest($2::uuid[])
           ON CONFLICT DO NOTHING"#,
        user_id,
        group_ids
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// The public groups (what anonymous visitors see).
pub async fn public(c: &mut PgConnection) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(r#"SELECT id FROM shop.customer_groups WHERE is_public ORDER BY id"#)
        .fetch_all(ex(c))
        .await?)
}
