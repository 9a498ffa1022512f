//! Shop types other domains rely on: what a purchase entitles to (`PackageTerms`, copied
//! into the package telecom creates) and the events that carry it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// When a package's used traffic goes back to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
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

/// A customer segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerGroup {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub is_default: bool,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSeries {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub archived: bool,
    pub current_version_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One immutable version of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageVersion {
    pub id: Uuid,
    pub series_id: Uuid,
    pub version: i32,
    pub terms: PackageTerms,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub price: i64,
    pub currency: String,
    pub series_id: Uuid,
    pub on_sale: bool,
    pub archived: bool,
    pub sort: i32,
    pub commission_eligible: bool,
    pub group_ids: Vec<Uuid>,
    /// The terms new sales deliver (the series' current version), when one is published.
    pub current_version: Option<PackageVersion>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum DiscountType {
    Percentage,
    Fixed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coupon {
    pub id: Uuid,
    pub code: String,
    pub discount_type: DiscountType,
    /// `percentage`: the share taken off, in (0, 1].
    pub rate: Option<rust_decimal::Decimal>,
    /// `fixed`: minor units taken off.
    pub amount: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub max_uses: Option<i32>,
    pub max_uses_per_user: i32,
    pub min_amount: Option<i64>,
    /// Empty: every product.
    pub product_ids: Vec<Uuid>,
    pub active: bool,
    /// Live uses (orders not cancelled).
    pub uses: i32,
    pub ever_used: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum OrderStatus {
    Unpaid,
    Paid,
    Delivered,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Unpaid => "unpaid",
            OrderStatus::Paid => "paid",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Unpaid, Self::Paid, Self::Delivered, Self::Cancelled, Self::Refunded]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum OrderKind {
    Purchase,
    Renewal,
    TopUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum PaidVia {
    Wallet,
    Gateway,
    Staff,
    Free,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: Uuid,
    pub trade_no: String,
    pub user_id: Uuid,
    pub kind: OrderKind,
    pub product_id: Option<Uuid>,
    pub package_version_id: Option<Uuid>,
    pub product_name: String,
    pub status: OrderStatus,
    pub subtotal: i64,
    pub discount: i64,
    pub total: i64,
    pub currency: String,
    pub coupon_id: Option<Uuid>,
    pub paid_via: Option<PaidVia>,
    pub cancel_reason: Option<String>,
    pub refund_amount: Option<i64>,
    pub refund_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
}

/// One attempt to pay an order (no gateway secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: Uuid,
    pub order_id: Uuid,
    pub method_id: Option<Uuid>,
    pub via: PaidVia,
    pub status: PaymentStatus,
    pub amount: i64,
    pub currency: String,
    pub gateway_trade_no: Option<String>,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

/// A configured gateway account, as staff see it: the merchant key is never part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub channel: String,
    pub url: String,
    pub pid: String,
    pub enabled: bool,
    pub sort: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Payload of `package.expiring` as the shop reads it (auto-renewal): the package that ends
/// soon, and the product it was bought as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageExpiring {
    pub package_id: Uuid,
    pub user_id: Uuid,
    #[serde(default)]
    pub product_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

crate::pg_text!(TrafficReset, DiscountType, OrderStatus, OrderKind, PaidVia, PaymentStatus);
