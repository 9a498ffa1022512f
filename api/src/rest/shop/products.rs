//! The catalog as customers and visitors see it, coupon previews and payment methods.

use axum::Json;
use axum::extract::{Path, Query, State};
use helium_domain::shop::commands::NewOrder;
use helium_infra::shop::catalog::Viewer;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::{Customer, OptionalCustomer};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

fn viewer(me: Option<helium_domain::auth::CustomerPrincipal>) -> Viewer {
    me.map_or(Viewer::Anonymous, |m| Viewer::Customer(m.user_id))
}

#[utoipa::path(
    get, path = "/api/v1/products", operation_id = "listProducts", tag = "shop",
    summary = "Products I may buy",
    description = "On sale, with published terms, for one of my groups (anonymous visitors: the public groups). In the operator's order.",
    security((), ("customerBearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "One page of products", body = ProductPage))
)]
pub async fn list_products(
    State(state): State<AppState>,
    OptionalCustomer(me): OptionalCustomer,
    Query(q): Query<PageQuery>,
) -> Result<Json<ProductPage>, ApiError> {
    let page = state.shop.catalog.products_for(viewer(me), q.cursor.as_deref(), q.limit).await?;
    Ok(Json(ProductPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    get, path = "/api/v1/products/{id}", operation_id = "getProduct", tag = "shop",
    summary = "One product I may buy",
    security((), ("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Product id")),
    responses((status = 200, description = "The product", body = Product))
)]
pub async fn get_product(
    State(state): State<AppState>,
    OptionalCustomer(me): OptionalCustomer,
    Path(id): Path<Uuid>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(state.shop.catalog.product_for(viewer(me), id).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/coupons/preview", operation_id = "previewCoupon", tag = "shop",
    summary = "What a coupon takes off a product",
    description = "Checked again when the order is created, which locks the total.",
    security(("customerBearer" = [])),
    request_body = CouponPreviewRequest,
    responses(
        (status = 200, description = "The discount and total", body = CouponPreview),
        (status = 422, description = "validation_failed; product_not_available; coupon_not_found, coupon_inactive, coupon_not_started, coupon_expired, coupon_usage_exhausted, coupon_user_limit_reached, coupon_min_amount_not_met, coupon_not_applicable, coupon_exceeds_price", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn preview_coupon(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<CouponPreviewRequest>,
) -> Result<Json<CouponPreview>, ApiError> {
    let cmd = NewOrder::new(req.product_id, Some(&req.code))?;
    let p = state.shop.coupons.preview(Viewer::Customer(me.user_id), &cmd).await?;
    Ok(Json(CouponPreview {
        code: p.code,
        subtotal: Money::new(p.subtotal, &p.currency),
        discount: Money::new(p.discount, &p.currency),
        total: Money::new(p.total, &p.currency),
    }))
}

#[utoipa::path(
    get, path = "/api/v1/payment-methods", operation_id = "listPaymentMethods", tag = "shop",
    summary = "The gateways I can pay through",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Enabled payment methods", body = PaymentMethodOptions))
)]
pub async fn list_payment_methods(
    State(state): State<AppState>,
    Customer(_me): Customer,
) -> Result<Json<PaymentMethodOptions>, ApiError> {
    let page = state.shop.methods.page(true, None, Some(100)).await?;
    let items = page
        .items
        .into_iter()
        .map(|m| PaymentMethodOption { id: m.id, kind: m.kind, name: m.name, channel: m.channel })
        .collect();
    Ok(Json(PaymentMethodOptions { items }))
}
