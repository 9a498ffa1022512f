//! SQL of the staff dashboard: read-only aggregates, one statement per section. The dashboard
//! is a report over several schemas (customers in `auth`, staff in `staff`; orders, traffic
//! and tickets as they land): it writes nothing, so it counts where the rows are instead of
//! loading them through each domain's service.

use chrono::NaiveDate;
use helium_domain::admin::stats::{CustomerStats, DayCount, StaffStats};
use sqlx::PgConnection;

use crate::db::{DbResult, ex};

/// Whether PostgreSQL knows the time zone `tz` (an IANA name).
pub async fn time_zone_known(c: &mut PgConnection, tz: &str) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS "known!""#, tz)
        .fetch_one(ex(c))
        .await?)
}

/// Customer totals and the per-day series of the last `days` days, bucketed in `tz` (the
/// first bucket starts at local midnight `days - 1` days ago).
pub async fn customers(c: &mut PgConnection, days: i32, tz: &str) -> DbResult<CustomerStats> {
    let totals = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM auth.users) AS "total!",
             (SELECT count(*) FROM auth.users WHERE status = 'banned') AS "banned!",
             count(DISTINCT user_id) FILTER (WHERE last_used_at > now() - interval '1 day') AS "active_1d!",
             count(DISTINCT user_id) FILTER (WHERE last_used_at > now() - interval '7 days') AS "active_7d!",
             count(DISTINCT user_id) AS "active_30d!"
           FROM auth.sessions
           WHERE last_used_at > now() - interval '30 days'"#
    )
    .fetch_one(ex(c))
    .await?;

    let rows = sqlx::query!(
        r#"WITH bounds AS (
             SELECT ((now() AT TIME ZONE $1)::date - ($2::int - 1)) AS first_day,
                    (now() AT TIME ZONE $1)::date AS last_day
           ), since AS (
             SELECT first_day::timestamp AT TIME ZONE $1 AS at FROM bounds
           ), days AS (
             SELECT generate_series(first_day::timestamp, last_day::timestamp, interval '1 day')::date AS day FROM bounds
           ), signups AS (
             SELECT (u.created_at AT TIME ZONE $1)::date AS day, count(*) AS n
             FROM auth.users u, since WHERE u.created_at >= since.at GROUP BY 1
           ), touches AS (
             SELECT s.user_id, (s.created_at AT TIME ZONE $1)::date AS day
             FROM auth.sessions s, since WHERE s.created_at >= since.at
             UNION
             SELECT s.user_id, (s.last_used_at AT TIME ZONE $1)::date AS day
             FROM auth.sessions s, since WHERE s.last_used_at >= since.at
           ), active AS (
             SELECT day, count(DISTINCT user_id) AS n FROM touches GROUP BY day
           )
           SELECT days.day AS "day!", COALESCE(signups.n, 0) AS "new!", COALESCE(active.n, 0) AS "active!"
           FROM days
           LEFT JOIN signups ON signups.day = days.day
           LEFT JOIN active ON active.day = days.day
           ORDER BY days.day"#,
        tz,
        days
    )
    .fetch_all(ex(c))
    .await?;

    let series = |pick: fn(&(NaiveDate, i64, i64)) -> i64| -> Vec<DayCount> {
        rows.iter().map(|r| (r.day, r.new, r.active)).map(|t| DayCount { day: t.0, count: pick(&t) }).collect()
    };
    Ok(CustomerStats {
        total: totals.total,
        banned: totals.banned,
        active_1d: totals.active_1d,
        active_7d: totals.active_7d,
        active_30d: totals.active_30d,
        new_per_day: series(|t| t.1),
        active_per_day: series(|t| t.2),
    })
}

/// Staff accounts by state, TOTP enrolment and open invitations.
pub async fn staff(c: &mut PgConnection) -> DbResult<StaffStats> {
    let r = sqlx::query!(
        r#"SELECT
             count(*) AS "total!",
             count(*) FILTER (WHERE a.status = 'active') AS "active!",
             count(*) FILTER (WHERE a.status = 'disabled') AS "disabled!",
             count(*) FILTER (WHERE t.enabled_at IS NOT NULL) AS "mfa_enabled!",
             (SELECT count(*) FROM staff.invitations i
               WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()) AS "pending_invitations!"
           FROM staff.admins a
           LEFT JOIN staff.totp t ON t.admin_id = a.id"#
    )
    .fetch_one(ex(c))
    .await?;
    Ok(StaffStats {
        total: r.total,
        active: r.active,
        disabled: r.disabled,
        mfa_enabled: r.mfa_enabled,
        pending_invitations: r.pending_invitations,
    })
}
