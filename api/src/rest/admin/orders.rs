//! Orders for staff: search, inspect, cancel, mark paid, refund (tag `orders`).

use axum::Json;
use axum::extract::{Path, Query, State};
use helium_domain::shop::commands::{MarkPaid, Refund};
use helium_infra::shop::store::orders::OrderFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::{Order, order_status};
use crate::state::AppState;

/// An order as staff see it: the customer's order plus whose it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrder {
    pub user_id: Uuid,
    #[serde(flatten)]
    pub order: Order,
}

impl AdminOrder {
    fn of(o: helium_domain::shop::model::Order, payments: Vec<helium_domain::shop::model::Payment>) -> Self {
        Self { user_id: o.user_id, order: Order::with_payments(o, payments) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrderPage {
    pub items: Vec<AdminOrder>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrderQuery {
    /// `unpaid`, `paid`, `delivered`, `cancelled` or `refunded`.
    pub status: Option<String>,
    /// The customer.
    #[param(value_type = Option<Uuid>)]
    pub user_id: Option<String>,
    /// Exact order number.
    pub trade_no: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub product_id: Option<String>,
    /// RFC 3339: created at or after.
    pub from: Option<String>,
    /// RFC 3339: created before.
    pub to: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminCancelOrderRequest {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkOrderPaidRequest {
    /// Why (kept in the audit log).
    pub reason: String,
    /// The bank or gateway reference the money came with.
    pub external_reference: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundOrderRequest {
    pub reason: String,
    /// Minor units to the customer's wallet; the whole (remaining) total when absent.
    pub amount: Option<i64>,
    /// Also cancel the package the order delivered.
    #[serde(default)]
    pub cancel_package: bool,
}

const PROBLEM: &str = "application/problem+json";

#[utoipa::path(
    get, path = "/api/v1/admin/orders", operation_id = "adminListOrders", tag = "orders",
    summary = "Search orders, newest first",
    params(AdminOrderQuery),
    responses((status = 200, description = "One page", body = AdminOrderPage))
)]
pub async fn admin_list_orders(
    State(state): State<AppState>,
    Query(q): Query<AdminOrderQuery>,
) -> Result<Json<AdminOrderPage>, ApiError> {
    let filter = OrderFilter {
        user_id: params::uuid("user_id", q.user_id)?,
        status: order_status(q.status.as_deref())?,
        trade_no: params::text("trade_no", q.trade_no)?,
        product_id: params::uuid("product_id", q.product_id)?,
        from: params::instant("from", q.from)?,
        to: params::instant("to", q.to)?,
    };
    let page = state.shop.orders.page(&filter, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AdminOrderPage {
        items: page.items.into_iter().map(|o| AdminOrder::of(o, Vec::new())).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/orders/{id}", operation_id = "adminGetOrder", tag = "orders",
    summary = "One order with its payments (no gateway secrets)",
    params(("id" = Uuid, Path, description = "Order id")),
    responses((status = 200, description = "The order", body = AdminOrder))
)]
pub async fn admin_get_order(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<AdminOrder>, ApiError> {
    let (o, payments) = state.shop.orders.get(None, id).await?;
    Ok(Json(AdminOrder::of(o, payments)))
}

#[utoipa::path(
    post, path = "/api/v1/admin/orders/{id}/cancel", operation_id = "adminCancelOrder", tag = "orders",
    summary = "Cancel an unpaid order",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = AdminCancelOrderRequest,
    responses(
        (status = 200, description = "Cancelled", body = AdminOrder),
        (status = 409, description = "order_not_cancellable", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_cancel_order(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<AdminCancelOrderRequest>,
) -> Result<Json<AdminOrder>, ApiError> {
    let reason = helium_domain::auth::commands::reason(&req.reason)?;
    let o = state.shop.orders.cancel_by_staff(&actor, id, &reason).await?;
    Ok(Json(AdminOrder::of(o, Vec::new())))
}

#[utoipa::path(
    post, path = "/api/v1/admin/orders/{id}/mark-paid", operation_id = "adminMarkOrderPaid", tag = "orders",
    summary = "Record money received outside the gateways",
    description = "The order becomes `paid` and is delivered like any other. Requires `Idempotency-Key`.",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = MarkOrderPaidRequest,
    responses(
        (status = 200, description = "Paid", body = AdminOrder),
        (status = 409, description = "order_not_payable", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_mark_order_paid(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<MarkOrderPaidRequest>,
) -> Result<Json<AdminOrder>, ApiError> {
    let cmd = MarkPaid::new(&req.reason, req.external_reference.as_deref())?;
    let o = state.shop.checkout.mark_paid(&actor, id, &cmd).await?;
    Ok(Json(AdminOrder::of(o, Vec::new())))
}

#[utoipa::path(
    post, path = "/api/v1/admin/orders/{id}/refund", operation_id = "adminRefundOrder", tag = "orders",
    summary = "Refund a paid order to the customer's wallet",
    description = "Partial refunds add up to at most the total. Requires `Idempotency-Key`.",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = RefundOrderRequest,
    responses(
        (status = 200, description = "Refunded", body = AdminOrder),
        (status = 409, description = "order_not_refundable", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_refund_order(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<RefundOrderRequest>,
) -> Result<Json<AdminOrder>, ApiError> {
    let cmd = Refund::new(&req.reason, req.amount, req.cancel_package)?;
    let o = state.shop.checkout.refund(&actor, id, &cmd).await?;
    Ok(Json(AdminOrder::of(o, Vec::new())))
}
