//! Dashboard statistics for staff (tag `admin`): one call for the whole dashboard, counted in
//! SQL and cached briefly (`state.admin.stats`). Each section is present only when the caller
//! holds its permission; later domains add theirs (revenue, traffic, nodes, tickets).

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

/// The staff dashboard. A section the caller may not see is null.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardStats {
    /// When these numbers were counted (answers are cached up to 30 s).
    pub generated_at: DateTime<Utc>,
    pub days: i32,
    pub tz: String,
    pub customers: Option<CustomerStats>,
    pub staff: Option<StaffStats>,
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
                new_per_day: c.new_per_day.into_iter().map(Into::into).collect(),
                active_per_day: c.active_per_day.into_iter().map(Into::into).collect(),
            }),
            staff: s.staff.map(|st| StaffStats {
                total: st.total,
                active: st.active,
                disabled: st.disabled,
                mfa_enabled: st.mfa_enabled,
                pending_invitations: st.pending_invitations,
            }),
        }
    }
}

#[utoipa::path(
    get, path = "/api/v1/admin/stats/dashboard", operation_id = "adminGetDashboardStats", tag = "admin",
    summary = "Dashboard statistics",
    description = "Totals and per-day series for the staff dashboard, aggregated in SQL and cached up to 30 s. \
                   Days are bucketed in `tz`. Sections need their own permission and are null without it: \
                   `customers` (customers.read), `staff` (admins.manage).",
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
