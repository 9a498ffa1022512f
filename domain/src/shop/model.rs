//! Shop types other domains rely on: what a purchase entitles to (`PackageTerms`, copied
//! into the package telecom creates) and the events that carry it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// When a package's used traffic goes back to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum TrafficReset {
    /// Never: the traffic is for the whole duration.
    None,
    /// Every month on the day of the month the package was activated.
    MonthlyOnPurchaseDay,
    /// On the first day of every calendar month (UTC).
    FirstOfMonth,
}

/// The terms of one immutable package version: what a delivered purchase keeps forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageTerms {
    pub traffic_bytes: i64,
    pub duration_days: i32,
    /// Mbit/s; `None` = unlimited.
    pub speed_limit_mbps: Option<i32>,
    /// Simultaneous devices (online IPs); `None` = unlimited.
    pub device_limit: Option<i32>,
    pub traffic_reset: TrafficReset,
    /// Node groups the package gives access to (customer groups).
    pub group_ids: Vec<Uuid>,
}

/// Payload of `order.delivered` (schema version 1): a paid order's entitlement, for telecom to
/// turn into a package. Delivered at least once; consumers dedupe on `order_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderDelivered {
    pub order_id: Uuid,
    pub user_id: Uuid,
    pub product_id: Uuid,
    pub package_version_id: Uuid,
    pub terms: PackageTerms,
    pub paid_at: DateTime<Utc>,
    /// An auto-renewal of a package the customer holds (queued after it).
    pub renewal: bool,
}

/// Payload of `order.refunded` (schema version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRefunded {
    pub order_id: Uuid,
    pub user_id: Uuid,
    /// Refunded amount in minor units (to the wallet).
    pub amount: i64,
    /// Staff asked to cancel the package the order delivered.
    pub cancel_package: bool,
    pub reason: String,
}
