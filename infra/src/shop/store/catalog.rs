//! `shop.package_series` and `shop.package_versions`.

use chrono::{DateTime, Utc};
use helium_domain::shop::model::{PackageSeries, PackageTerms, PackageVersion, TrafficReset};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn insert_series(
    c: &mut PgConnection,
    id: Uuid,
    name: &str,
    description: Option<&str>,
) -> DbResult<PackageSeries> {
    Ok(sqlx::query_as!(
        PackageSeries,
        r#"INSERT INTO shop.package_series (id, name, description) VALUES ($1, $2, $3)
        RETURNING id, name, description, archived, current_version_id, created_at, updated_at"#,
        id,
        name,
        description
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn series(c: &mut PgConnection, id: Uuid) -> DbResult<Option<PackageSeries>> {
    Ok(sqlx::query_as!(
        PackageSeries,
        r#"SELECT id, name, description, archived, current_version_id, created_at, updated_at
             FROM shop.package_series WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn lock_series(c: &mut PgConnection, id: Uuid) -> DbResult<Option<PackageSeries>> {
    Ok(sqlx::query_as!(
        PackageSeries,
        r#"SELECT id, name, description, archived, current_version_id, created_at, updated_at
             FROM shop.package_series WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn update_series(
    c: &mut PgConnection,
    id: Uuid,
    name: Option<&str>,
    description: Option<Option<&str>>,
    archived: Option<bool>,
) -> DbResult<Option<PackageSeries>> {
    Ok(sqlx::query_as!(
        PackageSeries,
        r#"UPDATE shop.package_series
              SET name = coalesce($2, name),
                  description = CASE WHEN $3 THEN $4 ELSE description END,
                  archived = coalesce($5, archived),
                  updated_at = now()
            WHERE id = $1
        RETURNING id, name, description, archived, current_version_id, created_at, updated_at"#,
        id,
        name,
        description.is_some(),
        description.flatten(),
        archived
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn page_series(
    c: &mut PgConnection,
    archived: Option<bool>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<PackageSeries>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        PackageSeries,
        r#"SELECT id, name, description, archived, current_version_id, created_at, updated_at
             FROM shop.package_series
            WHERE ($1::boolean IS NULL OR archived = $1)
              AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
            ORDER BY created_at DESC, id DESC LIMIT $4"#,
        archived,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

struct VersionRow {
    id: Uuid,
    series_id: Uuid,
    version: i32,
    traffic_bytes: i64,
    duration_days: i32,
    speed_limit_mbps: Option<i32>,
    device_limit: Option<i32>,
    traffic_reset: TrafficReset,
    group_ids: Vec<Uuid>,
    created_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
}

impl From<VersionRow> for PackageVersion {
    fn from(r: VersionRow) -> Self {
        PackageVersion {
            id: r.id,
            series_id: r.series_id,
            version: r.version,
            terms: PackageTerms {
                traffic_bytes: r.traffic_bytes,
                duration_days: r.duration_days,
                speed_limit_mbps: r.speed_limit_mbps,
                device_limit: r.device_limit,
                traffic_reset: r.traffic_reset,
                group_ids: r.group_ids,
            },
            created_at: r.created_at,
            published_at: r.published_at,
        }
    }
}

/// Adds the next version of a series (its number is the series' highest plus one).
pub async fn insert_version(
    c: &mut PgConnection,
    id: Uuid,
    series_id: Uuid,
    t: &PackageTerms,
) -> DbResult<PackageVersion> {
    let row = sqlx::query_as!(
        VersionRow,
        r#"INSERT INTO shop.package_versions
               (id, series_id, version, traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids)
           SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8
             FROM shop.package_versions WHERE series_id = $2
        RETURNING id, series_id, version, traffic_bytes, duration_days, speed_limit_mbps, device_limit,
                  traffic_reset AS "traffic_reset: TrafficReset", group_ids, created_at, published_at"#,
        id,
        series_id,
        t.traffic_bytes,
        t.duration_days,
        t.speed_limit_mbps,
        t.device_limit,
        t.traffic_reset as TrafficReset,
        &t.group_ids
    )
    .fetch_one(ex(c))
    .await?;
    Ok(row.into())
}

pub async fn versions(c: &mut PgConnection, series_id: Uuid) -> DbResult<Vec<PackageVersion>> {
    let rows = sqlx::query_as!(
        VersionRow,
        r#"SELECT id, series_id, version, traffic_bytes, duration_days, speed_limit_mbps, device_limit,
                  traffic_reset AS "traffic_reset: TrafficReset", group_ids, created_at, published_at
             FROM shop.package_versions WHERE series_id = $1 ORDER BY version"#,
        series_id
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn version(c: &mut PgConnection, id: Uuid) -> DbResult<Option<PackageVersion>> {
    let row = sqlx::query_as!(
        VersionRow,
        r#"SELECT id, series_id, version, traffic_bytes, duration_days, speed_limit_mbps, device_limit,
                  traffic_reset AS "traffic_reset: TrafficReset", group_ids, created_at, published_at
             FROM shop.package_versions WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(Into::into))
}

/// Makes `version_id` the series' current version (publishing it the first time).
pub async fn publish(c: &mut PgConnection, series_id: Uuid, version_id: Uuid) -> DbResult<bool> {
    sqlx::query!(
        r#"UPDATE shop.package_versions SET published_at = now() WHERE id = $1 AND published_at IS NULL"#,
        version_id
    )
    .execute(ex(c))
    .await?;
    let done = sqlx::query!(
        r#"UPDATE shop.package_series SET current_version_id = $2, updated_at = now() WHERE id = $1"#,
        series_id,
        version_id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}
