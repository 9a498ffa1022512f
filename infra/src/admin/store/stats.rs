//! SQL of the staff dashboard: read-only aggregates, one or two statements per section. The
//! dashboard is a report over several schemas (customers in `auth`, staff in `staff`, orders
//! in `shop`, nodes and traffic in `telecom`, tickets in `support`): it writes nothing, so it
//! counts where the rows are instead of loading them through each domain's service.
//!
//! Every series has one row per day of the range (`staff.dashboard_days`, oldest first); rows
//! count from local midnight of its first day in `tz` (the `since` CTE).

use chrono::{DateTime, NaiveDate, Utc};
use helium_domain::admin::stats::{
    CustomerStats, DayAmount, DayCount, DayTraffic, NodeStats, SalesStats, StaffStats, TicketStats, TrafficStats,
};
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
        r#"WITH days AS (
             SELECT day FROM staff.dashboard_days($1, $2)
           ), since AS (
             SELECT min(day)::timestamp AT TIME ZONE $1 AS at FROM days
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

/// Sales, top-ups and refunds per day; unpaid orders now.
pub async fn sales(c: &mut PgConnection, days: i32, tz: &str, currency: &str) -> DbResult<SalesStats> {
    let rows = sqlx::query!(
        r#"WITH days AS (
             SELECT day FROM staff.dashboard_days($1, $2)
           ), since AS (
             SELECT min(day)::timestamp AT TIME ZONE $1 AS at FROM days
           ), paid AS (
             SELECT (o.paid_at AT TIME ZONE $1)::date AS day,
                    sum(o.total) FILTER (WHERE o.kind <> 'top_up') AS revenue,
                    count(*) FILTER (WHERE o.kind <> 'top_up') AS orders,
                    sum(o.total) FILTER (WHERE o.kind = 'top_up') AS top_ups
             FROM shop.orders o, since WHERE o.paid_at >= since.at GROUP BY 1
           ), refunded AS (
             SELECT (o.refunded_at AT TIME ZONE $1)::date AS day, sum(COALESCE(o.refund_amount, o.total)) AS amount
             FROM shop.orders o, since WHERE o.refunded_at >= since.at GROUP BY 1
           )
           SELECT days.day AS "day!",
                  COALESCE(paid.revenue, 0)::bigint AS "revenue!",
                  COALESCE(paid.orders, 0) AS "orders!",
                  COALESCE(paid.top_ups, 0)::bigint AS "top_ups!",
                  COALESCE(refunded.amount, 0)::bigint AS "refunds!"
           FROM days
           LEFT JOIN paid ON paid.day = days.day
           LEFT JOIN refunded ON refunded.day = days.day
           ORDER BY days.day"#,
        tz,
        days
    )
    .fetch_all(ex(&mut *c))
    .await?;
    let unpaid = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM shop.orders WHERE status = 'unpaid'"#)
        .fetch_one(ex(c))
        .await?;
    let amounts = |pick: fn(&(i64, i64, i64, i64)) -> i64| -> Vec<DayAmount> {
        rows.iter()
            .map(|r| DayAmount { day: r.day, amount: pick(&(r.revenue, r.orders, r.top_ups, r.refunds)) })
            .collect()
    };
    let revenue_per_day = amounts(|t| t.0);
    let top_ups_per_day = amounts(|t| t.2);
    let refunds_per_day = amounts(|t| t.3);
    let paid_orders_per_day: Vec<DayCount> = rows.iter().map(|r| DayCount { day: r.day, count: r.orders }).collect();
    let sum = |series: &[DayAmount]| series.iter().fold(0i64, |acc, d| acc.saturating_add(d.amount));
    Ok(SalesStats {
        currency: currency.to_owned(),
        revenue: sum(&revenue_per_day),
        paid_orders: paid_orders_per_day.iter().map(|d| d.count).sum(),
        top_ups: sum(&top_ups_per_day),
        refunds: sum(&refunds_per_day),
        unpaid_orders: unpaid,
        revenue_per_day,
        paid_orders_per_day,
        top_ups_per_day,
        refunds_per_day,
    })
}

/// Bytes the agents reported per day (hourly rows bucketed into days in `tz`).
pub async fn traffic(c: &mut PgConnection, days: i32, tz: &str) -> DbResult<TrafficStats> {
    let rows = sqlx::query!(
        r#"WITH days AS (
             SELECT day FROM staff.dashboard_days($1, $2)
           ), since AS (
             SELECT min(day)::timestamp AT TIME ZONE $1 AS at FROM days
           ), carried AS (
             SELECT (t.hour AT TIME ZONE $1)::date AS day, sum(t.upload) AS up, sum(t.download) AS down
             FROM telecom.traffic_hourly t, since WHERE t.hour >= since.at GROUP BY 1
           )
           SELECT days.day AS "day!",
                  LEAST(COALESCE(carried.up, 0), 9223372036854775807)::bigint AS "upload!",
                  LEAST(COALESCE(carried.down, 0), 9223372036854775807)::bigint AS "download!"
           FROM days LEFT JOIN carried ON carried.day = days.day
           ORDER BY days.day"#,
        tz,
        days
    )
    .fetch_all(ex(c))
    .await?;
    let per_day: Vec<DayTraffic> =
        rows.into_iter().map(|r| DayTraffic { day: r.day, upload: r.upload, download: r.download }).collect();
    Ok(TrafficStats {
        upload: per_day.iter().fold(0i64, |acc, d| acc.saturating_add(d.upload)),
        download: per_day.iter().fold(0i64, |acc, d| acc.saturating_add(d.download)),
        per_day,
    })
}

/// Servers, maintenance, and agents heard from since `cutoff` (online) or not.
pub async fn nodes(c: &mut PgConnection, cutoff: DateTime<Utc>) -> DbResult<NodeStats> {
    let r = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM telecom.node_servers) AS "servers!",
             (SELECT count(*) FROM telecom.node_servers WHERE maintenance) AS "servers_in_maintenance!",
             count(*) AS "clients!",
             count(*) FILTER (WHERE GREATEST(last_pull_at, last_push_at) >= $1) AS "online!"
           FROM telecom.node_clients"#,
        cutoff
    )
    .fetch_one(ex(c))
    .await?;
    Ok(NodeStats {
        servers: r.servers,
        servers_in_maintenance: r.servers_in_maintenance,
        clients: r.clients,
        clients_online: r.online,
        clients_offline: r.clients - r.online,
    })
}

/// Tickets waiting for staff or the customer, unassigned ones, and new tickets per day.
pub async fn tickets(c: &mut PgConnection, days: i32, tz: &str) -> DbResult<TicketStats> {
    let totals = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE status = 'open') AS "open!",
             count(*) FILTER (WHERE status = 'pending') AS "pending!",
             count(*) FILTER (WHERE assignee_id IS NULL) AS "unassigned!"
           FROM support.tickets WHERE status IN ('open', 'pending')"#
    )
    .fetch_one(ex(&mut *c))
    .await?;
    let rows = sqlx::query!(
        r#"WITH days AS (
             SELECT day FROM staff.dashboard_days($1, $2)
           ), since AS (
             SELECT min(day)::timestamp AT TIME ZONE $1 AS at FROM days
           ), opened AS (
             SELECT (t.created_at AT TIME ZONE $1)::date AS day, count(*) AS n
             FROM support.tickets t, since WHERE t.created_at >= since.at GROUP BY 1
           )
           SELECT days.day AS "day!", COALESCE(opened.n, 0) AS "count!"
           FROM days LEFT JOIN opened ON opened.day = days.day
           ORDER BY days.day"#,
        tz,
        days
    )
    .fetch_all(ex(c))
    .await?;
    Ok(TicketStats {
        open: totals.open,
        pending: totals.pending,
        unassigned: totals.unassigned,
        opened_per_day: rows.into_iter().map(|r| DayCount { day: r.day, count: r.count }).collect(),
    })
}
