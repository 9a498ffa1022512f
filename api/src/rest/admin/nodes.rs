//! Node servers, node clients and their health, for staff (tag `telecom`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::telecom::drafts;
use crate::rest::telecom::dto::*;
use crate::state::AppState;

fn boolean(field: &str, raw: Option<String>) -> Result<Option<bool>, ApiError> {
    params::present(raw)
        .map(|s| match s.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(helium_domain::DomainError::field(field, "invalid_type", "true or false").into()),
        })
        .transpose()
}

/// Clients as staff see them, online judged against one cutoff for the whole answer.
async fn client_views(
    state: &AppState,
    records: Vec<helium_infra::telecom::store::nodes::ClientRecord>,
) -> Result<Vec<NodeClient>, ApiError> {
    let cutoff = state.telecom.nodes.offline_cutoff().await?;
    Ok(records
        .into_iter()
        .map(|r| {
            let online = helium_infra::telecom::nodes::seen_since(&r, cutoff);
            NodeClient::new(r, online)
        })
        .collect())
}

async fn client_view(
    state: &AppState,
    r: helium_infra::telecom::store::nodes::ClientRecord,
) -> Result<NodeClient, ApiError> {
    Ok(client_views(state, vec![r]).await?.remove(0))
}

#[utoipa::path(
    get, path = "/api/v1/admin/nodes/servers", operation_id = "adminListNodeServers", tag = "telecom",
    summary = "Node servers, newest first",
    params(NodeServerQuery),
    responses((status = 200, description = "One page of servers", body = NodeServerPage))
)]
pub async fn admin_list_node_servers(
    State(state): State<AppState>,
    Query(q): Query<NodeServerQuery>,
) -> Result<Json<NodeServerPage>, ApiError> {
    let region = params::text("region", q.region)?;
    let maintenance = boolean("maintenance", q.maintenance)?;
    let page = state.telecom.nodes.servers(region.as_deref(), maintenance, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(NodeServerPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/nodes/servers", operation_id = "adminCreateNodeServer", tag = "telecom",
    summary = "Add a node server",
    request_body = NodeServerCreateRequest,
    responses(
        (status = 201, description = "Created", body = NodeServer),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_create_node_server(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<NodeServerCreateRequest>,
) -> Result<(StatusCode, Json<NodeServer>), ApiError> {
    let draft = drafts::new_server(req)?;
    let s = state.telecom.nodes.create_server(&a.actor, &draft).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/nodes/servers/{id}", operation_id = "adminGetNodeServer", tag = "telecom",
    summary = "A node server with its clients",
    params(("id" = Uuid, Path, description = "Server id")),
    responses((status = 200, description = "The server", body = NodeServerDetail))
)]
pub async fn admin_get_node_server(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<NodeServerDetail>, ApiError> {
    let (s, clients) = state.telecom.nodes.server(id).await?;
    Ok(Json(NodeServerDetail { server: s.into(), clients: client_views(&state, clients).await? }))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/nodes/servers/{id}", operation_id = "adminUpdateNodeServer", tag = "telecom",
    summary = "Change a node server",
    params(("id" = Uuid, Path, description = "Server id")),
    request_body = NodeServerUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = NodeServer),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_node_server(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<NodeServerUpdateRequest>,
) -> Result<Json<NodeServer>, ApiError> {
    let (stored, _) = state.telecom.nodes.server(id).await?;
    let draft = drafts::changed_server(stored, req)?;
    Ok(Json(state.telecom.nodes.update_server(&a.actor, id, &draft).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/nodes/servers/{id}", operation_id = "adminDeleteNodeServer", tag = "telecom",
    summary = "Remove a node server without clients",
    params(("id" = Uuid, Path, description = "Server id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "server_has_clients", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_delete_node_server(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.telecom.nodes.delete_server(&a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/admin/nodes/servers/{id}/maintenance", operation_id = "adminSetNodeMaintenance", tag = "telecom",
    summary = "Start or end maintenance",
    description = "A server in maintenance is left out of subscriptions and customers' node lists.",
    params(("id" = Uuid, Path, description = "Server id")),
    request_body = MaintenanceRequest,
    responses(
        (status = 200, description = "The server", body = NodeServer),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_set_node_maintenance(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<MaintenanceRequest>,
) -> Result<Json<NodeServer>, ApiError> {
    let message = params::present(req.message);
    let s = state.telecom.nodes.set_maintenance(&a.actor, id, req.enabled, message.as_deref(), req.until).await?;
    Ok(Json(s.into()))
}

#[utoipa::path(
    get, path = "/api/v1/admin/nodes/clients", operation_id = "adminListNodeClients", tag = "telecom",
    summary = "Node clients, newest first",
    params(NodeClientQuery),
    responses((status = 200, description = "One page of clients", body = NodeClientPage))
)]
pub async fn admin_list_node_clients(
    State(state): State<AppState>,
    Query(q): Query<NodeClientQuery>,
) -> Result<Json<NodeClientPage>, ApiError> {
    let server_id = params::uuid("server_id", q.server_id)?;
    let group_id = params::uuid("group_id", q.group_id)?;
    let protocol = params::present(q.protocol)
        .map(|p| {
            helium_domain::telecom::model::Protocol::ALL
                .into_iter()
                .find(|k| k.as_str() == p.trim())
                .ok_or_else(|| helium_domain::DomainError::field("protocol", "invalid_enum", "a protocol name"))
        })
        .transpose()?;
    let page = state
        .telecom
        .nodes
        .clients(server_id, protocol.map(|p| p.as_str()), group_id, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(Json(NodeClientPage { items: client_views(&state, page.items).await?, next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/nodes/clients", operation_id = "adminCreateNodeClient", tag = "telecom",
    summary = "Add a node client (one protocol endpoint an agent serves)",
    request_body = NodeClientCreateRequest,
    responses(
        (status = 201, description = "Created", body = NodeClient),
        (status = 409, description = "node_id_taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_create_node_client(
    State(state): State<AppState>,
    a: Audited,
    JsonBody(req): JsonBody<NodeClientCreateRequest>,
) -> Result<(StatusCode, Json<NodeClient>), ApiError> {
    let server_id = req.server_id;
    let draft = drafts::new_client(req)?;
    let c = state.telecom.nodes.create_client(&a.actor, server_id, &draft).await?;
    Ok((StatusCode::CREATED, Json(client_view(&state, c).await?)))
}

#[utoipa::path(
    get, path = "/api/v1/admin/nodes/clients/{id}", operation_id = "adminGetNodeClient", tag = "telecom",
    summary = "A node client",
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 200, description = "The client", body = NodeClient))
)]
pub async fn admin_get_node_client(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<NodeClient>, ApiError> {
    let c = state.telecom.nodes.client(id).await?;
    Ok(Json(client_view(&state, c).await?))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/nodes/clients/{id}", operation_id = "adminUpdateNodeClient", tag = "telecom",
    summary = "Change a node client",
    params(("id" = Uuid, Path, description = "Client id")),
    request_body = NodeClientUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = NodeClient),
        (status = 409, description = "node_id_taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_update_node_client(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<NodeClientUpdateRequest>,
) -> Result<Json<NodeClient>, ApiError> {
    let stored = state.telecom.nodes.client(id).await?.client;
    let server_id = req.server_id.unwrap_or(stored.server_id.0);
    let draft = drafts::changed_client(stored, req)?;
    let c = state.telecom.nodes.update_client(&a.actor, id, server_id, &draft).await?;
    Ok(Json(client_view(&state, c).await?))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/nodes/clients/{id}", operation_id = "adminDeleteNodeClient", tag = "telecom",
    summary = "Remove a node client",
    description = "Its agent gets 404 `node_not_found` from then on.",
    params(("id" = Uuid, Path, description = "Client id")),
    responses((status = 204, description = "Removed"))
)]
pub async fn admin_delete_node_client(
    State(state): State<AppState>,
    a: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.telecom.nodes.delete_client(&a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/api/v1/admin/nodes/status", operation_id = "adminListNodeStatus", tag = "telecom",
    summary = "Agents' health: last contact, users online, load",
    params(NodeStatusQuery),
    responses((status = 200, description = "One page of node clients' status", body = NodeStatusPage))
)]
pub async fn admin_list_node_status(
    State(state): State<AppState>,
    Query(q): Query<NodeStatusQuery>,
) -> Result<Json<NodeStatusPage>, ApiError> {
    let server_id = params::uuid("server_id", q.server_id)?;
    let online = boolean("online", q.online)?;
    let page = state.telecom.nodes.statuses(server_id, online, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(NodeStatusPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}
