//! Support tickets for customers (tag `support`).

pub mod dto;
pub mod handlers;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::limited;
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(limited(routes!(handlers::create_ticket), Write))
        .routes(limited(routes!(handlers::list_tickets), Read))
        .routes(limited(routes!(handlers::get_ticket), Read))
        .routes(limited(routes!(handlers::reply_ticket), Write))
        .routes(limited(routes!(handlers::close_ticket), Write))
}
