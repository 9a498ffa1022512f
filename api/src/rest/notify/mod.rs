//! Announcements and notification preferences for customers (tag `notify`).

pub mod dto;
pub mod handlers;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::limited;
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    use RouteClass::{Auth, Read, Write};
    OpenApiRouter::new()
        .routes(limited(routes!(handlers::list_announcements), Read))
        .routes(limited(routes!(handlers::get_announcement), Read))
        .routes(limited(routes!(handlers::get_notification_preferences), Read))
        .routes(limited(routes!(handlers::update_notification_preferences), Write))
        // Anonymous and token-guessable: the auth class.
        .routes(limited(routes!(handlers::unsubscribe_one_click), Auth))
}
