//! Wallet routes for customers (tag `wallet`).

pub mod dto;
pub mod handlers;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{idempotent, limited};
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use RouteClass::{Auth, Read, Write};
    OpenApiRouter::new()
        .routes(limited(routes!(handlers::get_wallet), Read))
        .routes(limited(routes!(handlers::list_wallet_ledger), Read))
        // Redeeming is guessing-sensitive: the auth class, per address.
        .routes(idempotent(limited(routes!(handlers::redeem_gift_card), Auth)))
        .routes(idempotent(limited(routes!(handlers::create_top_up), Write)))
}
