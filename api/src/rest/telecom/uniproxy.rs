//! `/api/v1/server/UniProxy/*`: what unmodified XrayR and V2bX agents call (WIRE-FORMATS A).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::telecom::node_api::OK_BODY;
use helium_infra::telecom::node_api::Pulled;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

/// Every agent call carries these in the query string.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentQuery {
    /// `telecom.vpn_server_token`.
    pub token: Option<String>,
    /// The agent's configured node id.
    pub node_id: Option<String>,
    /// `vmess` (`v2ray`), `vless`, `trojan`, `shadowsocks`, `hysteria` (`hysteria2`), `tuic`,
    /// `anytls`, or `v2node` (any protocol).
    pub node_type: Option<String>,
}

impl AgentQuery {
    fn node(&self) -> (&str, &str) {
        (self.node_id.as_deref().unwrap_or(""), self.node_type.as_deref().unwrap_or(""))
    }
}

fn json(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.into()).into_response()
}

fn pulled(p: Pulled) -> Response {
    match p {
        Pulled::NotModified(etag) => {
            let mut res = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(v) = HeaderValue::from_str(&etag) {
                res.headers_mut().insert(header::ETAG, v);
            }
            res
        }
        Pulled::Fresh(snap) => {
            let mut res = json(StatusCode::OK, snap.body.clone());
            if let Ok(v) = HeaderValue::from_str(&snap.etag) {
                res.headers_mut().insert(header::ETAG, v);
            }
            res
        }
    }
}

fn if_none_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok())
}

const PROBLEM: &str = "application/problem+json";

#[utoipa::path(
    get, path = "/api/v1/server/UniProxy/config", operation_id = "nodeGetConfig", tag = "telecom",
    summary = "Node agent: the node's protocol settings",
    description = "ETag is a pure function of the body; `If-None-Match` equal to it answers 304.",
    security(("nodeToken" = [])),
    params(AgentQuery),
    responses(
        (status = 200, description = "Config (WIRE-FORMATS A.4)", body = serde_json::Value, headers(("ETag" = String, description = "Strong validator"))),
        (status = 304, description = "Unchanged"),
        (status = 401, description = "node_token_invalid", body = ProblemBody, content_type = PROBLEM),
        (status = 404, description = "node_not_found", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn node_get_config(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state.telecom.node_api.authenticate(q.token.as_deref()).await?;
    let (id, kind) = q.node();
    Ok(pulled(state.telecom.node_api.config(id, kind, if_none_match(&headers)).await?))
}

#[utoipa::path(
    get, path = "/api/v1/server/UniProxy/user", operation_id = "nodeGetUsers", tag = "telecom",
    summary = "Node agent: the customers this node serves",
    description = "Served from a per-node snapshot rebuilt only when something relevant changes; `If-None-Match` equal to the ETag answers 304.",
    security(("nodeToken" = [])),
    params(AgentQuery),
    responses(
        (status = 200, description = "`{\"users\":[{id, uuid, speed_limit, device_limit}]}`", body = serde_json::Value, headers(("ETag" = String, description = "Strong validator"))),
        (status = 304, description = "Unchanged"),
        (status = 401, description = "node_token_invalid", body = ProblemBody, content_type = PROBLEM),
        (status = 404, description = "node_not_found", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn node_get_users(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state.telecom.node_api.authenticate(q.token.as_deref()).await?;
    let (id, kind) = q.node();
    Ok(pulled(state.telecom.node_api.users(id, kind, if_none_match(&headers)).await?))
}

#[utoipa::path(
    post, path = "/api/v1/server/UniProxy/push", operation_id = "nodePushTraffic", tag = "telecom",
    summary = "Node agent: traffic per user since the last push",
    description = "`{\"<uid>\":[upload, download]}`; multiplied by the node's rate; an identical body retried within 30 s counts once; unknown users are skipped.",
    security(("nodeToken" = [])),
    params(AgentQuery),
    request_body(content = serde_json::Value, content_type = "application/json"),
    responses(
        (status = 200, description = "`{\"data\":true}`", body = serde_json::Value),
        (status = 401, description = "node_token_invalid", body = ProblemBody, content_type = PROBLEM),
        (status = 404, description = "node_not_found", body = ProblemBody, content_type = PROBLEM),
        (status = 422, description = "validation_failed (not a push body)", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn node_push_traffic(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.telecom.node_api.authenticate(q.token.as_deref()).await?;
    let (id, kind) = q.node();
    state.telecom.node_api.push(id, kind, &body).await?;
    Ok(json(StatusCode::OK, OK_BODY))
}

#[utoipa::path(
    post, path = "/api/v1/server/UniProxy/alive", operation_id = "nodePushAlive", tag = "telecom",
    summary = "Node agent: the IPs each user is online from",
    security(("nodeToken" = [])),
    params(AgentQuery),
    request_body(content = serde_json::Value, content_type = "application/json"),
    responses(
        (status = 200, description = "`{\"data\":true}`", body = serde_json::Value),
        (status = 401, description = "node_token_invalid", body = ProblemBody, content_type = PROBLEM),
        (status = 404, description = "node_not_found", body = ProblemBody, content_type = PROBLEM),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn node_push_alive(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.telecom.node_api.authenticate(q.token.as_deref()).await?;
    let (id, kind) = q.node();
    state.telecom.node_api.alive(id, kind, &body).await?;
    Ok(json(StatusCode::OK, OK_BODY))
}

#[utoipa::path(
    get, path = "/api/v1/server/UniProxy/alivelist", operation_id = "nodeGetAliveList", tag = "telecom",
    summary = "Node agent: online devices per user across all nodes",
    security(("nodeToken" = [])),
    params(AgentQuery),
    responses(
        (status = 200, description = "`{\"alive\":{\"<uid>\":count}}` (or IP lists for the XrayR fork)", body = serde_json::Value),
        (status = 401, description = "node_token_invalid", body = ProblemBody, content_type = PROBLEM),
        (status = 404, description = "node_not_found", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn node_get_alive_list(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
) -> Result<Response, ApiError> {
    state.telecom.node_api.authenticate(q.token.as_deref()).await?;
    let (id, kind) = q.node();
    Ok(json(StatusCode::OK, state.telecom.node_api.alivelist(id, kind).await?))
}

#[utoipa::path(
    post, path = "/api/v1/server/UniProxy/status", operation_id = "nodePushStatus", tag = "telecom",
    summary = "Node agent: CPU, memory, swap and disk use",
    security(("nodeToken" = [])),
    params(AgentQuery),
    request_body(content = serde_json::Value, content_type = "application/json"),
    responses(
        (status = 200, description = "`{\"data\":true}`", body = serde_json::Value),
        (status = 401, description = "node_token_invalid", body = ProblemBody, content_type = PROBLEM),
        (status = 404, description = "node_not_found", body = ProblemBody, content_type = PROBLEM),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn node_push_status(
    State(state): State<AppState>,
    Query(q): Query<AgentQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.telecom.node_api.authenticate(q.token.as_deref()).await?;
    let (id, kind) = q.node();
    state.telecom.node_api.status(id, kind, &body).await?;
    Ok(json(StatusCode::OK, OK_BODY))
}
