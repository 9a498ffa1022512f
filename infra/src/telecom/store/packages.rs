//! `telecom.packages`: the queue, activation, usage.

use chrono::{DateTime, Utc};
use helium_domain::shop::model::PackageTerms;
use helium_domain::telecom::package::{Package, PackageStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub struct NewPackage<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub order_id: Uuid,
    pub product_id: Uuid,
    pub version_id: Uuid,
    pub name: &'a str,
    pub terms: &'a PackageTerms,
    pub traffic_reset: &'a str,
}

/// Queues a package for a delivered order; `false` when that order already made one.
pub async fn insert_queued(c: &mut PgConnection, p: &NewPackage<'_>) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO telecom.packages (id, user_id, order_id, product_id, package_version_id, name, status,
                                         traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset,
                                         group_ids)
           VALUES ($1, $2, $3, $4, $5, $6, 'in_queue', $7, $8, $9, $10, $11, $12)
           ON CONFLICT (order_id) DO NOTHING"#,
        p.id,
        p.user_id,
        p.order_id,
        p.product_id,
        p.version_id,
        p.name,
        p.terms.traffic_bytes,
        p.terms.duration_days,
        p.terms.speed_limit_mbps,
        p.terms.device_limit,
        p.traffic_reset,
        &p.terms.group_ids
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Serialises queue changes of one customer (delivery, sweep, cancel) for the transaction.
pub async fn lock_user(c: &mut PgConnection, user_id: Uuid) -> DbResult<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended('telecom.packages:' || $1::uuid::text, 0))", user_id)
        .execute(ex(c))
        .await?;
    Ok(())
}

pub async fn active(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<Package>> {
    Ok(sqlx::query_as!(
        Package,
        r#"SELECT id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at FROM telecom.packages WHERE user_id = $1 AND status = 'active'"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Activates the oldest queued package of a customer (none active); `None` when the queue
/// is empty.
pub async fn activate_next(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<Package>> {
    Ok(sqlx::query_as!(
        Package,
        r#"UPDATE telecom.packages SET status = 'active', activated_at = now(),  expires_at = now() + make_interval(days => duration_days), last_reset_at = now()  WHERE id = (SELECT id FROM telecom.packages WHERE user_id = $1 AND status = 'in_queue'  ORDER BY created_at, id LIMIT 1)  AND NOT EXISTS (SELECT 1 FROM telecom.packages WHERE user_id = $1 AND status = 'active')  RETURNING id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Ends a package (`consumed` or `cancelled`) unless it already ended.
pub async fn end(c: &mut PgConnection, id: Uuid, status: PackageStatus, reason: &str) -> DbResult<Option<Package>> {
    Ok(sqlx::query_as!(
        Package,
        r#"UPDATE telecom.packages SET status = $2, ended_at = now(), end_reason = $3  WHERE id = $1 AND status IN ('in_queue', 'active') RETURNING id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at"#,
        id,
        status as PackageStatus,
        reason
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn get(c: &mut PgConnection, id: Uuid, user_id: Option<Uuid>) -> DbResult<Option<Package>> {
    Ok(sqlx::query_as!(
        Package,
        r#"SELECT id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at FROM telecom.packages WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)"#,
        id,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn by_order(c: &mut PgConnection, order_id: Uuid) -> DbResult<Option<Package>> {
    Ok(sqlx::query_as!(Package, r#"SELECT id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at FROM telecom.packages WHERE order_id = $1"#, order_id)
        .fetch_optional(ex(c))
        .await?)
}

pub async fn page(
    c: &mut PgConnection,
    user_id: Option<Uuid>,
    status: Option<PackageStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Package>> {
    let (at, id) = after.map_or((None, None), |(t, i)| (Some(t), Some(i)));
    Ok(sqlx::query_as!(
        Package,
        r#"SELECT id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at FROM telecom.packages  WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))  ORDER BY created_at DESC, id DESC LIMIT $5"#,
        user_id,
        status.map(PackageStatus::as_str),
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Queued packages of a customer, in activation order.
pub async fn queued(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<Package>> {
    Ok(sqlx::query_as!(
        Package,
        r#"SELECT id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at FROM telecom.packages WHERE user_id = $1 AND status = 'in_queue'  ORDER BY created_at, id"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

/// Queue positions (1 = next) of these customers' queued packages.
pub async fn queue_positions(c: &mut PgConnection, user_ids: &[Uuid]) -> DbResult<Vec<(Uuid, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at, id) AS "position!"
             FROM telecom.packages WHERE user_id = ANY($1) AND status = 'in_queue'"#,
        user_ids
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.position)).collect())
}

/// Active packages that expired or ran out of traffic: (package id, user id, why).
pub async fn spent(c: &mut PgConnection, limit: i64) -> DbResult<Vec<(Uuid, Uuid, String)>> {
    let rows = sqlx::query!(
        r#"SELECT id, user_id,
                  CASE WHEN expires_at <= now() THEN 'expired' ELSE 'traffic used up' END AS "why!"
             FROM telecom.packages
            WHERE status = 'active' AND (expires_at <= now() OR upload + download >= traffic_bytes)
            ORDER BY expires_at LIMIT $1"#,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.user_id, r.why)).collect())
}

/// Active packages ending within `lead_secs` not announced yet: marks and returns them.
pub async fn take_expiring(c: &mut PgConnection, lead_secs: f64, limit: i64) -> DbResult<Vec<Package>> {
    Ok(sqlx::query_as!(
        Package,
        r#"UPDATE telecom.packages SET expiring_notified = true  WHERE id IN (SELECT id FROM telecom.packages WHERE status = 'active' AND NOT expiring_notified  AND expires_at <= now() + make_interval(secs => $1) ORDER BY expires_at LIMIT $2)  RETURNING id, user_id, order_id, product_id, name, status AS "status: PackageStatus", traffic_bytes, duration_days, speed_limit_mbps, device_limit, traffic_reset, group_ids, upload, download, activated_at, expires_at, ended_at, end_reason, created_at"#,
        lead_secs,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Adds traffic (already multiplied by the node's rate) to the active packages of the
/// agents' users, in one statement; unknown users are skipped. Returns the users whose
/// package is now used up.
pub async fn add_traffic(
    c: &mut PgConnection,
    agent_ids: &[i64],
    uploads: &[i64],
    downloads: &[i64],
) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        // Rows are locked in id order first: concurrent pushes over the same users (several
        // nodes) then wait for each other instead of deadlocking.
        r#"WITH d AS (SELECT s.user_id, sum(t.up)::bigint AS up, sum(t.down)::bigint AS down
                        FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t(agent_id, up, down)
                        JOIN telecom.subscriptions s ON s.agent_id = t.agent_id
                       GROUP BY s.user_id),
                locked AS (SELECT p.id, d.up, d.down FROM telecom.packages p JOIN d ON d.user_id = p.user_id
                            WHERE p.status = 'active' ORDER BY p.id FOR UPDATE OF p)
           UPDATE telecom.packages p
              SET upload = p.upload + l.up, download = p.download + l.down
             FROM locked l
            WHERE p.id = l.id
        RETURNING CASE WHEN p.upload + p.download >= p.traffic_bytes THEN p.user_id END AS "spent""#,
        agent_ids,
        uploads,
        downloads
    )
    .fetch_all(ex(c))
    .await?
    .into_iter()
    .flatten()
    .collect())
}

/// Resets the usage of active packages whose policy day has come (`due` = package ids).
pub async fn reset_usage(c: &mut PgConnection, ids: &[Uuid]) -> DbResult<u64> {
    Ok(sqlx::query!(
        "UPDATE telecom.packages SET upload = 0, download = 0, last_reset_at = now() WHERE id = ANY($1) AND status = 'active'",
        ids
    )
    .execute(ex(c))
    .await?
    .rows_affected())
}

/// Active packages with a reset policy: (id, policy, activated_at, last_reset_at).
pub async fn resettable(c: &mut PgConnection) -> DbResult<Vec<(Uuid, String, DateTime<Utc>, Option<DateTime<Utc>>)>> {
    let rows = sqlx::query!(
        r#"SELECT id, traffic_reset, activated_at AS "activated_at!", last_reset_at FROM telecom.packages
            WHERE status = 'active' AND traffic_reset <> 'none' AND activated_at IS NOT NULL"#
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.traffic_reset, r.activated_at, r.last_reset_at)).collect())
}
