//! My packages, usage, subscription and nodes (tag `telecom`).

use axum::Json;
use axum::extract::{Path, Query, State};
use helium_domain::DomainError;
use helium_domain::telecom::import_links;
use helium_domain::telecom::package::{Package as DomainPackage, PackageStatus};
use helium_infra::telecom::subscriptions::Credentials;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::problem::ApiError;
use crate::state::AppState;

/// `?status=` of package lists.
pub fn package_status(raw: Option<&str>) -> Result<Option<PackageStatus>, ApiError> {
    crate::http::params::present(raw.map(str::to_owned))
        .map(|s| {
            PackageStatus::parse(s.trim()).ok_or_else(|| {
                DomainError::field("status", "invalid_enum", "in_queue, active, consumed or cancelled").into()
            })
        })
        .transpose()
}

/// Packages with their queue positions.
pub async fn with_positions(state: &AppState, packages: Vec<DomainPackage>) -> Result<Vec<Package>, ApiError> {
    let positions = state.telecom.packages.positions(&packages).await?;
    Ok(packages.into_iter().zip(positions).map(|(p, at)| Package::new(p, at)).collect())
}

#[utoipa::path(
    get, path = "/api/v1/packages", operation_id = "listMyPackages", tag = "telecom",
    summary = "My packages, newest first",
    security(("customerBearer" = [])),
    params(PackageQuery),
    responses((status = 200, description = "One page of packages", body = PackagePage))
)]
pub async fn list_my_packages(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<PackageQuery>,
) -> Result<Json<PackagePage>, ApiError> {
    Ok(Json(my_packages(&state, me.user_id, q.status, q.cursor, q.limit).await?))
}

/// One page of a customer's packages (REST and gRPC).
pub async fn my_packages(
    state: &AppState,
    user_id: Uuid,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
) -> Result<PackagePage, ApiError> {
    let status = package_status(status.as_deref())?;
    let page = state.telecom.packages.page(Some(user_id), status, cursor.as_deref(), limit).await?;
    Ok(PackagePage { items: with_positions(state, page.items).await?, next_cursor: page.next_cursor })
}

/// One of a customer's packages; someone else's is not found.
pub async fn my_package(state: &AppState, user_id: Uuid, id: Uuid) -> Result<Package, ApiError> {
    let p = state.telecom.packages.get(Some(user_id), id).await?;
    Ok(with_positions(state, vec![p]).await?.remove(0))
}

#[utoipa::path(
    get, path = "/api/v1/packages/{id}", operation_id = "getMyPackage", tag = "telecom",
    summary = "One of my packages",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Package id")),
    responses((status = 200, description = "The package", body = Package))
)]
pub async fn get_my_package(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<Json<Package>, ApiError> {
    Ok(Json(my_package(&state, me.user_id, id).await?))
}

#[utoipa::path(
    get, path = "/api/v1/usage", operation_id = "getUsage", tag = "telecom",
    summary = "My traffic: the active package and what is queued",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Usage now", body = Usage))
)]
pub async fn get_usage(State(state): State<AppState>, Customer(me): Customer) -> Result<Json<Usage>, ApiError> {
    Ok(Json(usage(&state, me.user_id).await?))
}

/// A customer's usage now (REST and gRPC).
pub async fn usage(state: &AppState, user_id: Uuid) -> Result<Usage, ApiError> {
    let u = state.telecom.packages.usage(user_id).await?;
    let (upload, download, remaining, expires_at) = u
        .active
        .as_ref()
        .map_or((0, 0, 0, None), |p| (p.upload, p.download, (p.traffic_bytes - p.used()).max(0), p.expires_at));
    let queued = u.queued.into_iter().zip(1..).map(|(p, at)| Package::new(p, Some(at))).collect();
    Ok(Usage {
        active_package: u.active.map(|p| Package::new(p, Some(0))),
        upload,
        download,
        remaining,
        expires_at,
        queued,
    })
}

/// The configured endpoints with this token in them.
async fn links(state: &AppState, token: &str) -> Result<Vec<SubscriptionLink>, ApiError> {
    let cfg = state.telecom.context.telecom_config().await?;
    Ok(cfg
        .subscribe_link
        .endpoints
        .into_iter()
        .map(|e| SubscriptionLink {
            url: e.url_template.replace("{SUBSCRIBE_TOKEN}", token),
            endpoint_name: e.endpoint_name,
        })
        .collect())
}

pub async fn subscription(state: &AppState, creds: Credentials) -> Result<Subscription, ApiError> {
    Ok(Subscription {
        links: links(state, &creds.token).await?,
        token: creds.token,
        created_at: creds.row.created_at,
        rotated_at: creds.row.rotated_at,
    })
}

#[utoipa::path(
    get, path = "/api/v1/subscription", operation_id = "getSubscription", tag = "telecom",
    summary = "My subscription token and its links",
    description = "The token is made on first use. Treat it as a password.",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Token and one link per configured endpoint", body = Subscription))
)]
pub async fn get_subscription(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<Subscription>, ApiError> {
    let creds = state.telecom.subscriptions.of(me.user_id).await?;
    Ok(Json(subscription(&state, creds).await?))
}

#[utoipa::path(
    post, path = "/api/v1/subscription/rotate", operation_id = "rotateSubscriptionToken", tag = "telecom",
    summary = "New subscription token",
    description = "The old token stops working at once and my devices leave every node until they fetch the new link.",
    security(("customerBearer" = [])),
    responses((status = 200, description = "The new token and links", body = Subscription))
)]
pub async fn rotate_subscription_token(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<Subscription>, ApiError> {
    let creds = state.telecom.subscriptions.rotate(me.user_id, None).await?;
    Ok(Json(subscription(&state, creds).await?))
}

#[utoipa::path(
    get, path = "/api/v1/subscription/links", operation_id = "listSubscriptionLinks", tag = "telecom",
    summary = "My subscription link for each app, with one-tap import links",
    security(("customerBearer" = [])),
    params(AppLinkQuery),
    responses((status = 200, description = "Links per endpoint and format", body = AppLinkList))
)]
pub async fn list_subscription_links(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<AppLinkQuery>,
) -> Result<Json<AppLinkList>, ApiError> {
    Ok(Json(app_links(&state, me.user_id, q.endpoint_name).await?))
}

/// Every endpoint's link for every app (REST and gRPC).
pub async fn app_links(
    state: &AppState,
    user_id: Uuid,
    endpoint_name: Option<String>,
) -> Result<AppLinkList, ApiError> {
    let creds = state.telecom.subscriptions.of(user_id).await?;
    let only = crate::http::params::present(endpoint_name);
    let mut items = Vec::new();
    for link in links(state, &creds.token).await? {
        if only.as_deref().is_some_and(|n| !n.trim().eq_ignore_ascii_case(&link.endpoint_name)) {
            continue;
        }
        for a in import_links::app_links(&link.url, &link.endpoint_name) {
            items.push(AppLink {
                endpoint_name: link.endpoint_name.clone(),
                format: a.format.to_owned(),
                url: a.url,
                import_url: a.import_url,
            });
        }
    }
    Ok(AppLinkList { items })
}

#[utoipa::path(
    get, path = "/api/v1/nodes", operation_id = "listMyNodes", tag = "telecom",
    summary = "The nodes my active package opens",
    description = "Empty without an active package. Servers in maintenance are not listed.",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Nodes, in subscription order", body = MyNodeList))
)]
pub async fn list_my_nodes(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<MyNodeList>, ApiError> {
    Ok(Json(my_nodes(&state, me.user_id).await?))
}

/// The nodes a customer's active package opens (REST and gRPC).
pub async fn my_nodes(state: &AppState, user_id: Uuid) -> Result<MyNodeList, ApiError> {
    let nodes = state.telecom.documents.nodes_of(user_id).await?;
    let cutoff = state.telecom.nodes.offline_cutoff().await?;
    let items = nodes
        .into_iter()
        .map(|(c, s)| MyNode {
            online: helium_infra::telecom::nodes::seen_since(&c, cutoff),
            id: c.client.id.0,
            protocol: c.client.protocol().as_str().to_owned(),
            rate: c.client.effective_rate(&s.server).to_string(),
            name: c.client.name,
            region: s.server.region,
        })
        .collect();
    Ok(MyNodeList { items })
}
