//! Payment gateway callbacks (`webhook_api` mode, and `all`).

pub mod epay;

use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::limited;
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(gateway(routes!(epay::epay_notify_post)))
        .routes(gateway(routes!(epay::epay_notify_get)))
}

/// A gateway callback: anonymous, limited per address, small bodies only.
fn gateway(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = limited(r, RouteClass::Webhook);
    (schemas, paths, method_router.layer(epay::body_limit()))
}
