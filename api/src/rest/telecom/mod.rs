//! Telecom routes. Customers' packages, usage, subscription and nodes are served by the `api`
//! mode; the node-agent API and subscription documents by `subscribe_api` (and `all`). The
//! latter are not JSON APIs for the SDKs: they carry `x-helium-sdk: false`.

pub mod customer;
pub mod drafts;
pub mod dto;
pub mod subscribe;
pub mod uniproxy;

use axum::extract::DefaultBodyLimit;
use serde_json::json;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::limited;
use crate::http::rate_limit::RouteClass;
use crate::state::AppState;

/// Traffic pushes of a node serving many users are large.
pub const AGENT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

fn not_for_sdks(mut r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    for item in r.1.paths.values_mut() {
        for op in [&mut item.get, &mut item.post].into_iter().flatten() {
            op.extensions.get_or_insert_with(Default::default).insert("x-helium-sdk".into(), json!(false));
        }
    }
    r
}

fn agent(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = not_for_sdks(r);
    (schemas, paths, method_router.layer(DefaultBodyLimit::max(AGENT_MAX_BODY_BYTES)))
}

/// The routes of the `subscribe_api` mode.
pub fn subscribe_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(not_for_sdks(routes!(subscribe::get_subscription_document)))
        .routes(agent(routes!(uniproxy::node_get_config)))
        .routes(agent(routes!(uniproxy::node_get_users)))
        .routes(agent(routes!(uniproxy::node_push_traffic)))
        .routes(agent(routes!(uniproxy::node_push_alive)))
        .routes(agent(routes!(uniproxy::node_get_alive_list)))
        .routes(agent(routes!(uniproxy::node_push_status)))
}

/// Customers' telecom routes (`api` mode). Rotation counts as an auth action: it is rare,
/// and a stolen session must not be able to churn tokens.
pub fn customer_routes() -> OpenApiRouter<AppState> {
    use RouteClass::{Auth, Read};
    OpenApiRouter::new()
        .routes(limited(routes!(customer::list_my_packages), Read))
        .routes(limited(routes!(customer::get_my_package), Read))
        .routes(limited(routes!(customer::get_usage), Read))
        .routes(limited(routes!(customer::get_subscription), Read))
        .routes(limited(routes!(customer::rotate_subscription_token), Auth))
        .routes(limited(routes!(customer::list_subscription_links), Read))
        .routes(limited(routes!(customer::list_my_nodes), Read))
}
