//! Shop routes for customers and visitors (tag `shop`).

pub mod dto;
pub mod orders;
pub mod products;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{idempotent, limited};
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use RouteClass::{PublicRead, Read, Write};
    OpenApiRouter::new()
        .routes(limited(routes!(products::list_products), PublicRead))
        .routes(limited(routes!(products::get_product), PublicRead))
        .routes(limited(routes!(products::preview_coupon), Write))
        .routes(limited(routes!(products::list_payment_methods), Read))
        .routes(idempotent(limited(routes!(orders::create_order), Write)))
        .routes(limited(routes!(orders::list_orders), Read))
        .routes(limited(routes!(orders::get_order), Read))
        .routes(limited(routes!(orders::cancel_order), Write))
        .routes(idempotent(limited(routes!(orders::pay_order_with_wallet), Write)))
        .routes(idempotent(limited(routes!(orders::start_gateway_payment), Write)))
        .routes(limited(routes!(orders::list_auto_renewals), Read))
        .routes(limited(routes!(orders::set_auto_renewal), Write))
}
