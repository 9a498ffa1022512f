//! Dashboard statistics for staff (tag `admin`): one call for the whole dashboard, counted in
//! SQL and cached briefly (`state.admin.stats`). Each section is present only when the caller
//! holds its permission.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use helium_domain::admin::stats::{self as model, DashboardQuery, Sections};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Staff;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Days in the per-day series, 1–90 (default 30), ending today.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 90)]
    pub days: Option<String>,
    /// IANA time zone of the day buckets, e.g. `Asia/Shanghai` (default `UTC`).
    pub tz: Option<String>,
}

/// One day of a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayCount {
    /// The day (`YYYY-MM-DD`) in the requested time zone.
    pub day: NaiveDate,
    pub count: i64,
}

impl From<model::DayCount> for DayCount {
    fn from(d: model::DayCount) -> Self {
        Self { day: d.day, count: d.count }
    }
}

/// Customer accounts (permission `customers.read`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerStats {
    pub total: i64,
    pub banned: i64,
    /// Customers with a session used in the last 24 hours.
    pub active_1d: i64,
    /// … in the last 7 days.
    pub active_7d: i64,
    /// … in the last 30 days.
    pub active_30d: i64,
    /// Sign-ups per day, oldest first, one entry per day of the range.
    pub new_per_day: Vec<DayCount>,
    /// Customers who signed in or used a session that day, oldest first.
    pub active_per_day: Vec<DayCount>,
}

/// Staff accounts (permission `admins.manage`).
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffStats {
    pub total: i64,
    pub active: i64,
    pub disabled: i64,
    /// Accounts with TOTP on.
    pub mfa_enabled: i64,
    /// Invitations neither accepted, revoked nor expired.
    pub pending_invitations: i64,
}

/// One day of a money series.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayAmount {
    /// The day (`YYYY-MM-DD`) in the requested time zone.
    pub day: NaiveDate,
    /// Minor units of the shop currency.
    pub amount: i64,
}

impl From<model::DayAmount> for DayAmount {
    fn from(d: model::DayAmount) -> Self {
        Self { day: d.day, amount: d.amount }
    }
}

/// Sales (permission `orders.read`), by the day an order was paid or refunded. Revenue counts
/// paid purchases and renewals at their paid total, whatever paid them; wallet top-ups are
/// counted apart (a top-up spent on a purchase would otherwise count twice). Amounts are minor
/// units of `currency`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesStats {
    /// The shop currency (ISO 4217).
    pub currency: String,
    /// Revenue over the range.
    pub revenue: i64,
    /// Paid purchases and renewals over the range.
    pub paid_orders: i64,
    /// Wallet top-ups paid over the range.
    pub top_ups: i64,
    /// Refunded over the range.
    pub refunds: i64,
    /// Orders waiting for payment now.
    pub unpaid_orders: i64,
    pub revenue_per_day: Vec<DayAmount>,
    pub paid_orders_per_day: Vec<DayCount>,
    pub top_ups_per_day: Vec<DayAmount>,
    pub refunds_per_day: Vec<DayAmount>,
}

/// One day of node traffic.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayTraffic {
    /// The day (`YYYY-MM-DD`) in the requested time zone.
    pub day: NaiveDate,
    /// Bytes.
    pub upload: i64,
    /// Bytes.
    pub download: i64,
}

impl From<model::DayTraffic> for DayTraffic {
    fn from(d: model::DayTraffic) -> Self {
        Self { day: d.day, upload: d.upload, download: d.download }
    }
}

/// Traffic the node agents reported (permission `nodes.read`), in bytes before node rates.
/// Stored per hour, so days in zones with a half-hour offset are off by up to 30 minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrafficStats {
    /// Uploaded over the range.
    pub upload: i64,
    /// Downloaded over the range.
    pub download: i64,
    pub per_day: Vec<DayTraffic>,
}

/// Node servers and agents now (permission `nodes.read`). An agent (node client) is online
/// when it was heard from within `node_health_check.offline_timeout`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeStats {
    pub servers: i64,
    pub servers_in_maintenance: i64,
    pub clients: i64,
    pub clients_online: i64,
    pub clients_offline: i64,
}

/// Support tickets (permission `tickets.read`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketStats {
    /// Waiting for staff.
    pub open: i64,
    /// Waiting for the customer.
    pub pending: i64,
    /// Open or pending with nobody assigned.
    pub unassigned: i64,
    /// Tickets opened per day, oldest first.
    pub opened_per_day: Vec<DayCount>,
}

/// The staff dashboard. A section the caller may not see is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardStats {
    /// When these numbers were counted (answers are cached up to 30 s).
    pub generated_at: DateTime<Utc>,
    pub days: i32,
    pub tz: String,
    pub customers: Option<CustomerStats>,
    pub staff: Option<StaffStats>,
    pub sales: Option<SalesStats>,
    pub traffic: Option<TrafficStats>,
    pub nodes: Option<NodeStats>,
    pub tickets: Option<TicketStats>,
}

fn each<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(Into::into).collect()
}

impl From<model::DashboardStats> for DashboardStats {
    fn from(s: model::DashboardStats) -> Self {
        Self {
            generated_at: s.generated_at,
            days: s.days,
            tz: s.tz,
            customers: s.customers.map(|c| CustomerStats {
                total: c.total,
                banned: c.banned,
                active_1d: c.active_1d,
                active_7d: c.active_7d,
                active_30d: c.active_30d,
                new_per_day: each(c.new_per_day),
                active_per_day: each(c.active_per_day),
            }),
            staff: s.staff.map(|st| StaffStats {
                total: st.total,
                active: st.active,
                disabled: st.disabled,
                mfa_enabled: st.mfa_enabled,
                pending_invitations: st.pending_invitations,
            }),
            sales: s.sales.map(|o| SalesStats {
                currency: o.currency,
                revenue: o.revenue,
                paid_orders: o.paid_orders,
                top_ups: o.top_ups,
                refunds: o.refunds,
                unpaid_orders: o.unpaid_orders,
                revenue_per_day: each(o.revenue_per_day),
                paid_orders_per_day: each(o.paid_orders_per_day),
                top_ups_per_day: each(o.top_ups_per_day),
                refunds_per_day: each(o.refunds_per_day),
            }),
            traffic: s.traffic.map(|t| TrafficStats {
                upload: t.upload,
                download: t.download,
                per_day: each(t.per_day),
            }),
            nodes: s.nodes.map(|n| NodeStats {
                servers: n.servers,
                servers_in_maintenance: n.servers_in_maintenance,
                clients: n.clients,
                clients_online: n.clients_online,
                clients_offline: n.clients_offline,
            }),
            tickets: s.tickets.map(|t| TicketStats {
                open: t.open,
                pending: t.pending,
                unassigned: t.unassigned,
                opened_per_day: each(t.opened_per_day),
            }),
        }
    }
}

#[utoipa::path(
    get, path = "/api/v1/admin/stats/dashboard", operation_id = "adminGetDashboardStats", tag = "admin",
    summary = "Dashboard statistics",
    description = "Totals and per-day series for the staff dashboard, aggregated in SQL and cached up to 30 s. \
                   Days are bucketed in `tz`. Sections need their own permission and are null without it: \
                   `customers` (customers.read), `staff` (admins.manage), `sales` (orders.read), \
                   `traffic` and `nodes` (nodes.read), `tickets` (tickets.read).",
    params(StatsQuery),
    responses(
        (status = 200, description = "The dashboard numbers", body = DashboardStats),
        (status = 422, description = "validation_failed (days outside 1–90 or not an integer; tz not an IANA time zone)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_get_dashboard_stats(
    State(state): State<AppState>,
    Staff(me): Staff,
    Query(q): Query<StatsQuery>,
) -> Result<Json<DashboardStats>, ApiError> {
    let days = params::integer("days", q.days, "an integer, 1 to 90")?;
    let query = DashboardQuery::new(days, q.tz.as_deref(), Sections::for_principal(&me))?;
    Ok(Json(state.admin.stats.dashboard(&query).await?.into()))
}
