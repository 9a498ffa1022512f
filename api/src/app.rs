//! The composition root of the HTTP side: which routes each mode serves (the REST API, its
//! docs and the admin web app), the OpenAPI document they come with, and the shared layers
//! around them.

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::mode::WorkMode;
use crate::openapi::ApiDoc;
use crate::state::AppState;

/// The REST router and its OpenAPI document, from one declaration.
pub fn router_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(crate::rest::api_routes()).split_for_parts()
}

/// Subscription documents and the node-agent API (`subscribe_api`).
fn subscribe_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::new().merge(crate::rest::telecom::subscribe_routes()).split_for_parts()
}

/// The gateway callbacks (`webhook_api`) and their part of the document.
fn webhook_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::new().merge(crate::rest::webhooks::routes()).split_for_parts()
}

/// The complete OpenAPI document of the REST routes.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = router_parts().1;
    doc.merge(webhook_parts().1);
    doc.merge(subscribe_parts().1);
    crate::openapi::finish(doc)
}

/// Pretty JSON with a trailing newline: the committed `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi_document().to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// Routes served by a given HTTP mode (`all` merges every HTTP mode on one listener).
pub fn routes_for(mode: WorkMode) -> Router<AppState> {
    match mode {
        WorkMode::Api => api_routes(),
        WorkMode::WebhookApi => webhook_parts().0,
        WorkMode::SubscribeApi => subscribe_parts().0,
        WorkMode::All => api_routes().merge(webhook_parts().0).merge(subscribe_parts().0),
        _ => Router::new(),
    }
}

/// The committed `openapi/openapi.json`, byte for byte what [`openapi_json`] generates (the
/// spec drift test fails otherwise): served from the binary's read-only data, so no process
/// builds or keeps the document at run time.
static COMMITTED_SPEC: &[u8] = include_bytes!("../../openapi/openapi.json");

/// The REST API, its docs and the admin web app.
fn api_routes() -> Router<AppState> {
    let (router, _) = router_parts();
    let serve_spec = || async {
        ([(axum::http::header::CONTENT_TYPE, "application/json")], axum::body::Bytes::from_static(COMMITTED_SPEC))
    };
    router
        .route("/openapi.json", axum::routing::get(serve_spec))
        .merge(SwaggerUi::new("/docs").config(utoipa_swagger_ui::Config::from("/openapi.json")))
        .merge(crate::http::admin_spa::routes())
}

/// The complete app for a mode.
pub fn build(mode: WorkMode, state: AppState) -> Router {
    crate::http::with_layers(routes_for(mode), state)
}
