//! REST handlers, one module per domain. Routes are declared once with `routes!`, which
//! registers them in both the axum router and the OpenAPI document.

pub mod meta;

use helium_infra::config_store::ConfigStoreError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::problem::ApiError;
use crate::state::AppState;

/// Customer and admin REST routes served by the `api` mode.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(meta::get_meta))
}

/// A configuration problem is the operator's, not the caller's: log it, answer 503.
pub fn config_error(e: ConfigStoreError) -> ApiError {
    tracing::error!(error = %e, "module configuration unavailable");
    ApiError::unavailable(5)
}
