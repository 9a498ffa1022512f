//! Referral routes for customers (tag `market`).

pub mod dto;
pub mod handlers;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{idempotent, limited};
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(limited(routes!(handlers::list_invite_codes), Read))
        .routes(limited(routes!(handlers::create_invite_code), Write))
        .routes(limited(routes!(handlers::delete_invite_code), Write))
        .routes(limited(routes!(handlers::get_referral_stats), Read))
        .routes(limited(routes!(handlers::list_referrals), Read))
        .routes(limited(routes!(handlers::list_commissions), Read))
        .routes(idempotent(limited(routes!(handlers::withdraw_commission), Write)))
}
