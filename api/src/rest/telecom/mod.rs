//! Telecom routes: the node-agent API and subscription documents (`subscribe_api` mode, and
//! `all`). These are not JSON APIs for the SDKs: they carry `x-helium-sdk: false`.

pub mod subscribe;
pub mod uniproxy;

use axum::extract::DefaultBodyLimit;
use serde_json::json;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

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
