//! Shop request and response bodies. Responses are allowlists built from domain models; a
//! customer body never carries a server-owned field.

use chrono::{DateTime, Utc};
use helium_domain::shop::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The snake_case wire name of a domain enum (its serde name).
pub fn wire<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// An amount of money: integer minor units of an ISO 4217 currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Money {
    /// Minor units (cents, fen…).
    pub amount: i64,
    pub currency: String,
}

impl Money {
    pub fn new(amount: i64, currency: &str) -> Self {
        Self { amount, currency: currency.to_owned() }
    }
}

/// What a package gives: traffic, days, limits, node groups.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Entitlements {
    pub traffic_bytes: i64,
    pub duration_days: i32,
    /// Mbit/s; null = unlimited.
    pub speed_limit_mbps: Option<i32>,
    /// Simultaneous devices; null = unlimited.
    pub device_limit: Option<i32>,
    /// `none`, `monthly_on_purchase_day` or `first_of_month`.
    pub traffic_reset: String,
    pub group_ids: Vec<Uuid>,
}

impl From<&m::PackageTerms> for Entitlements {
    fn from(t: &m::PackageTerms) -> Self {
        Self {
            traffic_bytes: t.traffic_bytes,
            duration_days: t.duration_days,
            speed_limit_mbps: t.speed_limit_mbps,
            device_limit: t.device_limit,
            traffic_reset: wire(&t.traffic_reset),
            group_ids: t.group_ids.clone(),
        }
    }
}

/// A product as customers see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = shop::Product)]
pub struct Product {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub price: Money,
    /// What a purchase delivers today (the series' current version).
    pub entitlements: Option<Entitlements>,
}

impl From<m::Product> for Product {
    fn from(p: m::Product) -> Self {
        Self {
            id: p.id,
            price: Money::new(p.price, &p.currency),
            entitlements: p.current_version.as_ref().map(|v| (&v.terms).into()),
            name: p.name,
            description: p.description,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<Product>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponPreviewRequest {
    pub code: String,
    pub product_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CouponPreview {
    /// The coupon code as stored (upper case).
    pub code: String,
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
}

/// An enabled way to pay through a gateway.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodOption {
    pub id: Uuid,
    /// `epay`.
    pub kind: String,
    pub name: String,
    /// `alipay`, `wxpay`, `usdt`…
    pub channel: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodOptions {
    pub items: Vec<PaymentMethodOption>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    pub product_id: Uuid,
    /// Checked again here; the total is locked in the order.
    pub coupon_code: Option<String>,
}

/// One attempt to pay an order (no gateway secrets).
#[derive(Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: Uuid,
    /// `wallet`, `gateway`, `staff` or `free`.
    pub via: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub amount: Money,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl From<m::Payment> for Payment {
    fn from(p: m::Payment) -> Self {
        Self {
            id: p.id,
            via: wire(&p.via),
            status: wire(&p.status),
            amount: Money::new(p.amount, &p.currency),
            created_at: p.created_at,
            settled_at: p.settled_at,
        }
    }
}

/// An order. `status`: `unpaid` → `paid` → `delivered`; `cancelled`; `refunded`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Order {
    pub id: Uuid,
    /// The number to quote (and what gateways show).
    pub trade_no: String,
    /// `purchase`, `renewal` or `top_up`.
    pub kind: String,
    /// `unpaid`, `paid`, `delivered`, `cancelled` or `refunded`.
    pub status: String,
    pub product_id: Option<Uuid>,
    pub product_name: String,
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
    /// `wallet`, `gateway`, `staff` or `free`, once paid.
    pub paid_via: Option<String>,
    pub created_at: DateTime<Utc>,
    /// An unpaid order is cancelled after this.
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub refund_amount: Option<Money>,
    /// The attempts to pay it (in `getOrder` / `adminGetOrder`; empty in lists).
    pub payments: Vec<Payment>,
}

impl From<m::Order> for Order {
    fn from(o: m::Order) -> Self {
        Self {
            id: o.id,
            subtotal: Money::new(o.subtotal, &o.currency),
            discount: Money::new(o.discount, &o.currency),
            total: Money::new(o.total, &o.currency),
            refund_amount: o.refund_amount.map(|a| Money::new(a, &o.currency)),
            trade_no: o.trade_no,
            kind: wire(&o.kind),
            status: o.status.as_str().to_owned(),
            product_id: o.product_id,
            product_name: o.product_name,
            paid_via: o.paid_via.as_ref().map(wire),
            created_at: o.created_at,
            expires_at: o.expires_at,
            paid_at: o.paid_at,
            delivered_at: o.delivered_at,
            cancelled_at: o.cancelled_at,
            refunded_at: o.refunded_at,
            payments: Vec::new(),
        }
    }
}

impl Order {
    pub fn with_payments(o: m::Order, payments: Vec<m::Payment>) -> Self {
        Self { payments: payments.into_iter().map(Into::into).collect(), ..o.into() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<Order>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// `unpaid`, `paid`, `delivered`, `cancelled` or `refunded`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartGatewayPaymentRequest {
    pub payment_method_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayRedirect {
    pub payment_id: Uuid,
    /// Send the browser here (the gateway's signed `submit.php` URL).
    pub redirect_url: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAutoRenewalRequest {
    pub enabled: bool,
}

/// Auto-renewal of one product from the wallet.
#[derive(Debug, Serialize, ToSchema)]
pub struct AutoRenewal {
    pub product_id: Uuid,
    pub enabled: bool,
    /// The renewal order it created last, if any.
    pub last_order_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

impl From<helium_infra::shop::store::renewals::AutoRenewal> for AutoRenewal {
    fn from(r: helium_infra::shop::store::renewals::AutoRenewal) -> Self {
        Self { product_id: r.product_id, enabled: r.enabled, last_order_id: r.last_order_id, updated_at: r.updated_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoRenewalList {
    pub items: Vec<AutoRenewal>,
}

/// Parses an order status filter (422 naming `status`).
pub fn order_status(raw: Option<&str>) -> Result<Option<m::OrderStatus>, helium_domain::DomainError> {
    raw.filter(|s| !s.is_empty())
        .map(|s| {
            m::OrderStatus::parse(s).ok_or_else(|| {
                helium_domain::DomainError::field(
                    "status",
                    "invalid_enum",
                    "unpaid, paid, delivered, cancelled or refunded",
                )
            })
        })
        .transpose()
}
