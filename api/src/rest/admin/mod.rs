//! Staff REST routes (`/api/v1/admin/…`). Each route is declared with `staff_route`, naming
//! its permission next to the handler: that one declaration installs the guard, publishes
//! `x-helium-permission` and the staff security schemes in the OpenAPI document.

pub mod auth;
pub mod dto;

use axum::middleware::from_fn;
use helium_domain::admin::Permission;
use serde_json::json;
use utoipa::openapi::security::SecurityRequirement;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::limited;
use crate::http::rate_limit::RouteClass;
use crate::http::staff;
use crate::state::AppState;

/// `x-helium-permission` of the few anonymous staff routes (setup, sign-in, accept).
pub const PUBLIC: &str = "public";

fn annotate(r: &mut UtoipaMethodRouter<AppState>, permission: &str, security: Vec<SecurityRequirement>) {
    for item in r.1.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            op.extensions.get_or_insert_with(Default::default).insert("x-helium-permission".into(), json!(permission));
            op.security = Some(security.clone());
        }
    }
}

/// A staff route: guarded by `permission` (default deny), rate-limited by `class`.
pub fn staff_route(
    mut r: UtoipaMethodRouter<AppState>,
    permission: Permission,
    class: RouteClass,
) -> UtoipaMethodRouter<AppState> {
    let mut schemes = vec![SecurityRequirement::new("adminBearer", Vec::<String>::new())];
    if !permission.human_only() {
        schemes.push(SecurityRequirement::new("adminApiKey", Vec::<String>::new()));
    }
    annotate(&mut r, permission.as_str(), schemes);
    let (schemas, paths, method_router) = limited(r, class);
    (schemas, paths, method_router.layer(from_fn(move |req, next| staff::guard(permission, req, next))))
}

/// An anonymous staff route (setup link, sign-in, invitation accept).
pub fn public_route(mut r: UtoipaMethodRouter<AppState>, class: RouteClass) -> UtoipaMethodRouter<AppState> {
    annotate(&mut r, PUBLIC, vec![SecurityRequirement::default()]);
    limited(r, class)
}

pub fn routes() -> OpenApiRouter<AppState> {
    use Permission as P;
    use RouteClass::{Auth, Read, Write};
    OpenApiRouter::new()
        .routes(public_route(routes!(auth::admin_complete_setup), Auth))
        .routes(public_route(routes!(auth::admin_login), Auth))
        .routes(staff_route(routes!(auth::admin_logout), P::SelfService, Write))
        .routes(staff_route(routes!(auth::admin_get_me), P::SelfService, Read))
        .routes(staff_route(routes!(auth::admin_list_roles), P::SelfService, Read))
}
