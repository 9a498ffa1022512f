//! My orders: create, read, cancel, pay (wallet or gateway), and auto-renewal.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::shop::commands::NewOrder;
use helium_infra::shop::store::orders::OrderFilter;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::idempotency::RequestKey;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/orders", operation_id = "createOrder", tag = "shop",
    summary = "Create an order",
    description = "An unpaid order for a product I may buy, with an optional coupon (checked again, total locked). At most `shop.max_unpaid_orders` unpaid orders at once. A free product is paid at once. Requires `Idempotency-Key`.",
    security(("customerBearer" = [])),
    request_body = CreateOrderRequest,
    responses(
        (status = 201, description = "The order", body = Order, headers(("Location" = String, description = "/api/v1/orders/{id}"))),
        (status = 409, description = "max_unpaid_orders_reached", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed; product_not_available; currency_mismatch; coupon_*", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    Customer(me): Customer,
    RequestKey(key): RequestKey,
    JsonBody(req): JsonBody<CreateOrderRequest>,
) -> Result<Response, ApiError> {
    let cmd = NewOrder::new(req.product_id, req.coupon_code.as_deref())?;
    let order = state.shop.orders.create(me.user_id, &cmd, key.as_deref()).await?;
    Ok(created(order.into()))
}

/// 201 with `Location` of the order.
pub fn created(order: Order) -> Response {
    let location = HeaderValue::from_str(&format!("/api/v1/orders/{}", order.id)).ok();
    let mut res = (StatusCode::CREATED, Json(order)).into_response();
    if let Some(l) = location {
        res.headers_mut().insert(header::LOCATION, l);
    }
    res
}

#[utoipa::path(
    get, path = "/api/v1/orders", operation_id = "listOrders", tag = "shop",
    summary = "My orders, newest first",
    security(("customerBearer" = [])),
    params(OrderListQuery),
    responses((status = 200, description = "One page of orders", body = OrderPage))
)]
pub async fn list_orders(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<OrderListQuery>,
) -> Result<Json<OrderPage>, ApiError> {
    let filter =
        OrderFilter { user_id: Some(me.user_id), status: order_status(q.status.as_deref())?, ..Default::default() };
    let page = state.shop.orders.page(&filter, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(OrderPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    get, path = "/api/v1/orders/{id}", operation_id = "getOrder", tag = "shop",
    summary = "One of my orders with its payments",
    description = "Poll after paying until `status` is `delivered`.",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses((status = 200, description = "The order", body = Order))
)]
pub async fn get_order(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<Order>, ApiError> {
    let (order, payments) = state.shop.orders.get(Some(me.user_id), id).await?;
    Ok(Json(Order::with_payments(order, payments)))
}

#[utoipa::path(
    post, path = "/api/v1/orders/{id}/cancel", operation_id = "cancelOrder", tag = "shop",
    summary = "Cancel my unpaid order",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "Cancelled", body = Order),
        (status = 409, description = "order_not_cancellable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn cancel_order(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.shop.orders.cancel(me.user_id, id).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/orders/{id}/pay/wallet", operation_id = "payOrderWithWallet", tag = "shop",
    summary = "Pay my order from my wallet",
    description = "One transaction: the order moves from unpaid to paid only if the available balance covers it. Requires `Idempotency-Key`.",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "Paid", body = Order),
        (status = 409, description = "insufficient_funds, order_not_payable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn pay_order_with_wallet(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.shop.checkout.pay_with_wallet(me.user_id, id).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/orders/{id}/pay/gateway", operation_id = "startGatewayPayment", tag = "shop",
    summary = "Pay my order through a gateway",
    description = "Returns the gateway URL to send the browser to. The order becomes paid when the gateway's signed notification arrives. Requires `Idempotency-Key`.",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = StartGatewayPaymentRequest,
    responses(
        (status = 200, description = "Where to pay", body = GatewayRedirect),
        (status = 409, description = "order_not_payable", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed; payment_method_unavailable", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn start_gateway_payment(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<StartGatewayPaymentRequest>,
) -> Result<Json<GatewayRedirect>, ApiError> {
    let r = state.shop.checkout.start_gateway(me.user_id, id, req.payment_method_id).await?;
    Ok(Json(GatewayRedirect { payment_id: r.payment_id, redirect_url: r.redirect_url }))
}

#[utoipa::path(
    get, path = "/api/v1/auto-renewals", operation_id = "listAutoRenewals", tag = "shop",
    summary = "My auto-renewal settings",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Per product", body = AutoRenewalList))
)]
pub async fn list_auto_renewals(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<AutoRenewalList>, ApiError> {
    let items = state.shop.renewals.list(me.user_id).await?.into_iter().map(Into::into).collect();
    Ok(Json(AutoRenewalList { items }))
}

#[utoipa::path(
    put, path = "/api/v1/auto-renewals/{product_id}", operation_id = "setAutoRenewal", tag = "shop",
    summary = "Turn auto-renewal of a product on or off",
    description = "When on, the package bought as this product is renewed from the wallet before it ends; without enough balance, an e-mail reminds me instead.",
    security(("customerBearer" = [])),
    params(("product_id" = Uuid, Path, description = "Product id")),
    request_body = SetAutoRenewalRequest,
    responses((status = 200, description = "The setting", body = AutoRenewal))
)]
pub async fn set_auto_renewal(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(product_id): Path<Uuid>,
    JsonBody(req): JsonBody<SetAutoRenewalRequest>,
) -> Result<Json<AutoRenewal>, ApiError> {
    Ok(Json(state.shop.renewals.set(me.user_id, product_id, req.enabled).await?.into()))
}
