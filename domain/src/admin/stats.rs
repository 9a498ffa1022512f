//! The staff dashboard (`adminGetDashboardStats`): what it asks for and what it answers.
//! Each section is shown only to a caller holding its permission.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Permission, StaffPrincipal};
use crate::error::{DomainError, FieldError};

/// Days of the per-day series when the caller names none.
pub const DEFAULT_DAYS: i32 = 30;
/// Longest range of the per-day series.
pub const MAX_DAYS: i32 = 90;
/// Time zone of the day buckets when the caller names none.
pub const DEFAULT_TZ: &str = "UTC";

/// One day of a series, the day in the requested time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: i64,
}

/// Customer accounts (permission `customers.read`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerStats {
    pub total: i64,
    pub banned: i64,
    /// Customers with a session used in the last 24 h / 7 days / 30 days.
    pub active_1d: i64,
    pub active_7d: i64,
    pub active_30d: i64,
    /// Sign-ups per day, oldest first.
    pub new_per_day: Vec<DayCount>,
    /// Customers who signed in or used a session that day (a session counts on the day it
    /// was created and on the day it was last used), oldest first.
    pub active_per_day: Vec<DayCount>,
}

/// Staff accounts (permission `admins.manage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffStats {
    pub total: i64,
    pub active: i64,
    pub disabled: i64,
    pub mfa_enabled: i64,
    pub pending_invitations: i64,
}

/// One day of a money series: minor units of the shop currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayAmount {
    pub day: NaiveDate,
    pub amount: i64,
}

/// Sales (permission `orders.read`), by the day an order was paid or refunded. Sales are paid
/// purchases and renewals at their paid total, whatever paid them (wallet, gateway, staff);
/// wallet top-ups are counted apart, since a top-up spent on a purchase would otherwise count
/// twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesStats {
    pub currency: String,
    /// Over the whole range.
    pub revenue: i64,
    pub paid_orders: i64,
    pub top_ups: i64,
    pub refunds: i64,
    /// Orders waiting for payment now.
    pub unpaid_orders: i64,
    pub revenue_per_day: Vec<DayAmount>,
    pub paid_orders_per_day: Vec<DayCount>,
    pub top_ups_per_day: Vec<DayAmount>,
    pub refunds_per_day: Vec<DayAmount>,
}

/// One day of node traffic in bytes as the agents reported it (before node rates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTraffic {
    pub day: NaiveDate,
    pub upload: i64,
    pub download: i64,
}

/// Traffic through the nodes (permission `nodes.read`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficStats {
    /// Over the whole range.
    pub upload: i64,
    pub download: i64,
    pub per_day: Vec<DayTraffic>,
}

/// Node servers and their agents now (permission `nodes.read`); an agent is online when it
/// was heard from within `node_health_check.offline_timeout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStats {
    pub servers: i64,
    pub servers_in_maintenance: i64,
    pub clients: i64,
    pub clients_online: i64,
    pub clients_offline: i64,
}

/// Support tickets (permission `tickets.read`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketStats {
    /// Waiting for staff.
    pub open: i64,
    /// Waiting for the customer.
    pub pending: i64,
    /// Open or pending with nobody assigned.
    pub unassigned: i64,
    pub opened_per_day: Vec<DayCount>,
}

/// The dashboard; a section the caller may not see is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardStats {
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

/// Which sections a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections {
    pub customers: bool,
    pub staff: bool,
    pub sales: bool,
    /// Traffic and nodes.
    pub nodes: bool,
    pub tickets: bool,
}

impl Sections {
    pub fn for_principal(me: &StaffPrincipal) -> Self {
        Self {
            customers: me.can(Permission::CustomersRead),
            staff: me.can(Permission::AdminsManage),
            sales: me.can(Permission::OrdersRead),
            nodes: me.can(Permission::NodesRead),
            tickets: me.can(Permission::TicketsRead),
        }
    }

    /// One letter per visible section (`-` for a hidden one), for cache keys.
    fn letters(self) -> String {
        [(self.customers, 'c'), (self.staff, 's'), (self.sales, 'o'), (self.nodes, 'n'), (self.tickets, 't')]
            .iter()
            .map(|&(on, c)| if on { c } else { '-' })
            .collect()
    }
}

/// A validated dashboard request: the range of the series, the time zone of its day buckets
/// (an IANA name; whether the database knows it is checked by the use case) and the sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardQuery {
    pub days: i32,
    pub tz: String,
    pub sections: Sections,
}

/// A plausible IANA zone name: letters, digits and `/ _ - +`, at most 64 characters.
fn tz_shape_ok(tz: &str) -> bool {
    !tz.is_empty()
        && tz.len() <= 64
        && tz.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
}

pub fn unknown_time_zone() -> DomainError {
    DomainError::validation(vec![FieldError::new("tz", "invalid_enum", "an IANA time zone such as Asia/Shanghai")])
}

impl DashboardQuery {
    /// `days` 1–[`MAX_DAYS`] (default [`DEFAULT_DAYS`]); `tz` an IANA zone (default UTC).
    pub fn new(days: Option<i64>, tz: Option<&str>, sections: Sections) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let days = match days {
            None => DEFAULT_DAYS,
            Some(d) => match i32::try_from(d) {
                Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
                _ => {
                    errors.push(FieldError::new("days", "out_of_range", "1 to 90"));
                    DEFAULT_DAYS
                }
            },
        };
        let tz = tz.map(str::trim).filter(|t| !t.is_empty()).unwrap_or(DEFAULT_TZ).to_owned();
        if !tz_shape_ok(&tz) {
            errors.push(FieldError::new("tz", "invalid_format", "an IANA time zone such as Asia/Shanghai"));
        }
        if !errors.is_empty() {
            return Err(DomainError::validation(errors));
        }
        Ok(Self { days, tz, sections })
    }

    /// The cache key of this request's answer: range, zone and visible sections.
    pub fn cache_key(&self) -> String {
        format!("admin_stats:v2:{}:{}:{}", self.days, self.tz, self.sections.letters())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Sections = Sections { customers: true, staff: true, sales: true, nodes: true, tickets: true };

    #[test]
    fn time_zone_names_are_checked_for_shape() {
        assert!(tz_shape_ok("Asia/Shanghai"));
        assert!(tz_shape_ok("UTC"));
        assert!(tz_shape_ok("America/Argentina/Buenos_Aires"));
        assert!(tz_shape_ok("Etc/GMT+8"));
        assert!(!tz_shape_ok(""));
        assert!(!tz_shape_ok("Asia/Shanghai'; --"));
        assert!(!tz_shape_ok(&"A".repeat(65)));
    }

    #[test]
    fn range_and_zone_default_and_are_bounded() {
        let q = DashboardQuery::new(None, Some("  "), ALL).unwrap();
        assert_eq!((q.days, q.tz.as_str()), (DEFAULT_DAYS, "UTC"));
        assert_eq!(DashboardQuery::new(Some(90), Some("Asia/Shanghai"), ALL).unwrap().days, 90);
        for bad in [0, -1, 91, i64::from(i32::MAX) + 1] {
            let Err(DomainError::Rejected { fields, .. }) = DashboardQuery::new(Some(bad), None, ALL) else {
                panic!("{bad} accepted")
            };
            assert_eq!(fields[0].field, "days");
        }
        let Err(DomainError::Rejected { fields, .. }) = DashboardQuery::new(Some(0), Some("x'y"), ALL) else {
            panic!("accepted")
        };
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["days", "tz"]);
    }

    #[test]
    fn cache_keys_name_range_zone_and_sections() {
        let q = DashboardQuery::new(Some(30), None, Sections { staff: false, tickets: false, ..ALL }).unwrap();
        assert_eq!(q.cache_key(), "admin_stats:v2:30:UTC:c-on-");
        assert_eq!(
            DashboardQuery::new(Some(7), Some("Asia/Shanghai"), ALL).unwrap().cache_key(),
            "admin_stats:v2:7:Asia/Shanghai:csont"
        );
    }

    #[test]
    fn sections_follow_permissions() {
        use crate::admin::Role;
        let by_role = |role: Role| {
            let me = StaffPrincipal {
                role,
                admin_id: None,
                session_id: None,
                api_key_id: None,
                key_permissions: None,
                mfa_enabled: true,
            };
            Sections::for_principal(&me)
        };
        assert_eq!(by_role(Role::SuperAdmin), ALL);
        let support = by_role(Role::CustomerSupport);
        assert!(support.customers && support.tickets && !support.staff);
        let narrowed_key = StaffPrincipal {
            role: Role::SuperAdmin,
            admin_id: None,
            session_id: None,
            api_key_id: Some(uuid::Uuid::nil()),
            key_permissions: Some(vec![Permission::OrdersRead]),
            mfa_enabled: false,
        };
        let none = Sections { customers: false, staff: false, sales: false, nodes: false, tickets: false };
        assert_eq!(Sections::for_principal(&narrowed_key), Sections { sales: true, ..none });
    }
}
