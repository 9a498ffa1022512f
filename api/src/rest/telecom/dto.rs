//! Telecom request and response bodies: packages, usage, subscription links, nodes.

use chrono::{DateTime, Utc};
use helium_domain::telecom::package::Package as DomainPackage;
use helium_infra::telecom::nodes::NodeStatus as StatusRecord;
use helium_infra::telecom::store::nodes::{ClientRecord, ServerRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A package: what one purchase gives, consumed in order (one active at a time).
#[derive(Debug, Serialize, ToSchema)]
pub struct Package {
    pub id: Uuid,
    pub user_id: Uuid,
    pub order_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub name: String,
    /// `in_queue`, `active`, `consumed` or `cancelled`.
    pub status: String,
    /// 0 for the active package, 1… in the queue, null once ended.
    pub position: Option<i64>,
    /// Traffic allowance in bytes.
    pub traffic_bytes: i64,
    /// Billed bytes used (upload + download, node rates applied).
    pub used: i64,
    pub upload: i64,
    pub download: i64,
    pub duration_days: i32,
    pub speed_limit_mbps: Option<i32>,
    pub device_limit: Option<i32>,
    /// `none`, `monthly_on_purchase_day` or `first_of_month`.
    pub traffic_reset: String,
    pub activated_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Package {
    pub fn new(p: DomainPackage, position: Option<i64>) -> Self {
        Self {
            used: p.used(),
            status: p.status.as_str().to_owned(),
            position,
            id: p.id,
            user_id: p.user_id,
            order_id: p.order_id,
            product_id: p.product_id,
            name: p.name,
            traffic_bytes: p.traffic_bytes,
            upload: p.upload,
            download: p.download,
            duration_days: p.duration_days,
            speed_limit_mbps: p.speed_limit_mbps,
            device_limit: p.device_limit,
            traffic_reset: p.traffic_reset,
            activated_at: p.activated_at,
            expires_at: p.expires_at,
            ended_at: p.ended_at,
            end_reason: p.end_reason,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackagePage {
    pub items: Vec<Package>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageQuery {
    /// `in_queue`, `active`, `consumed` or `cancelled`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminPackageQuery {
    /// One customer's packages.
    pub user_id: Option<String>,
    /// `in_queue`, `active`, `consumed` or `cancelled`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// My traffic right now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Usage {
    pub active_package: Option<Package>,
    pub upload: i64,
    pub download: i64,
    /// Bytes left in the active package (0 without one).
    pub remaining: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// Packages waiting their turn, next first.
    pub queued: Vec<Package>,
}

/// One place my subscription can be fetched from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionLink {
    pub endpoint_name: String,
    pub url: String,
}

/// My subscription. The token is a password: whoever has it gets my node list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Subscription {
    pub token: String,
    pub links: Vec<SubscriptionLink>,
    pub created_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
}

/// A link for one app.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppLink {
    pub endpoint_name: String,
    /// `general`, `clash`, `clash_meta`, `sing_box`, `shadowrocket`, `surge`, `surfboard`,
    /// `stash`, `quantumult_x`, `loon` or `sip008`.
    pub format: String,
    pub url: String,
    /// One-tap import into the app, where it has a URL scheme.
    pub import_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppLinkList {
    pub items: Vec<AppLink>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppLinkQuery {
    /// Only this endpoint's links.
    pub endpoint_name: Option<String>,
}

/// A node I can use.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyNode {
    pub id: Uuid,
    pub name: String,
    pub region: Option<String>,
    pub protocol: String,
    /// Traffic multiplier (decimal string): billed = used × rate.
    pub rate: String,
    pub online: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyNodeList {
    pub items: Vec<MyNode>,
}

/// A physical or virtual machine running node agents.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeServer {
    pub id: Uuid,
    pub name: String,
    /// Host name or IP clients connect to.
    pub address: String,
    pub region: Option<String>,
    /// Decimal string, e.g. `"1.5"`.
    pub rate: String,
    pub tags: Vec<String>,
    pub maintenance: bool,
    pub maintenance_message: Option<String>,
    pub maintenance_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ServerRecord> for NodeServer {
    fn from(r: ServerRecord) -> Self {
        let s = r.server;
        Self {
            id: s.id.0,
            name: s.name,
            address: s.address,
            region: s.region,
            rate: s.rate.0.normalize().to_string(),
            tags: s.tags,
            maintenance: s.maintenance,
            maintenance_message: r.maintenance_message,
            maintenance_until: r.maintenance_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeServerDetail {
    #[serde(flatten)]
    pub server: NodeServer,
    pub clients: Vec<NodeClient>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeServerPage {
    pub items: Vec<NodeServer>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NodeServerQuery {
    pub region: Option<String>,
    /// `true` or `false`.
    pub maintenance: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Create body of a node server.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeServerCreateRequest {
    pub name: String,
    pub address: String,
    pub region: Option<String>,
    /// Decimal string or number, 0–100 (default 1).
    #[schema(value_type = Option<String>)]
    pub rate: Option<serde_json::Value>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Absent fields are unchanged; `region: null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeServerUpdateRequest {
    pub name: Option<String>,
    pub address: Option<String>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[schema(value_type = Option<String>)]
    pub rate: Option<serde_json::Value>,
    pub tags: Option<Vec<String>>,
}

/// Maintenance hides a server's nodes from subscriptions and node lists.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceRequest {
    pub enabled: bool,
    /// Shown to staff (at most 500 characters).
    pub message: Option<String>,
    /// When the work is expected to end.
    pub until: Option<DateTime<Utc>>,
}

/// One protocol endpoint an agent serves on a server.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeClient {
    pub id: Uuid,
    pub server_id: Uuid,
    /// The agent's `NodeID`.
    pub node_id: u32,
    pub name: String,
    pub protocol: String,
    pub port: u16,
    /// `{start, end}` ports clients may hop across (hysteria2 only).
    #[schema(value_type = Option<Object>)]
    pub hop_ports: Option<serde_json::Value>,
    /// Protocol settings, tagged by `protocol`. The REALITY `private_key` reads as "".
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub group_ids: Vec<Uuid>,
    pub tags: Vec<String>,
    /// Listed in subscriptions.
    pub show: bool,
    pub sort: i32,
    /// Overrides the server's rate (decimal string).
    pub rate: Option<String>,
    /// `count` (V2bX) or `ips` (XrayR fork).
    pub alivelist_shape: String,
    /// Routing rules sent to the agent.
    #[schema(value_type = Vec<Object>)]
    pub routes: serde_json::Value,
    pub online: bool,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_push_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl NodeClient {
    pub fn new(r: ClientRecord, online: bool) -> Self {
        let c = r.client;
        Self {
            id: c.id.0,
            server_id: c.server_id.0,
            node_id: c.node_id.0,
            protocol: c.protocol().as_str().to_owned(),
            port: c.port,
            hop_ports: c.hop_ports.and_then(|h| serde_json::to_value(h).ok()),
            settings: serde_json::to_value(c.settings.redacted()).unwrap_or_default(),
            group_ids: c.group_ids.iter().map(|g| g.0).collect(),
            tags: c.tags,
            show: c.show,
            sort: c.sort,
            rate: c.rate.map(|r| r.0.normalize().to_string()),
            alivelist_shape: crate::rest::shop::dto::wire(&c.alivelist_shape),
            routes: serde_json::to_value(&c.routes).unwrap_or_default(),
            name: c.name,
            online,
            last_pull_at: r.last_pull_at,
            last_push_at: r.last_push_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeClientPage {
    pub items: Vec<NodeClient>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NodeClientQuery {
    pub server_id: Option<String>,
    pub protocol: Option<String>,
    pub group_id: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Create body of a node client. `settings` carries `protocol` and its protocol's fields
/// (WIRE-FORMATS A); nothing an agent or client app would reject is accepted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeClientCreateRequest {
    pub server_id: Uuid,
    pub node_id: u32,
    pub name: String,
    pub port: u16,
    #[schema(value_type = Option<Object>)]
    pub hop_ports: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub show: Option<bool>,
    pub sort: Option<i32>,
    #[schema(value_type = Option<String>)]
    pub rate: Option<serde_json::Value>,
    /// `count` (default) or `ips`.
    pub alivelist_shape: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub routes: Option<serde_json::Value>,
}

/// Absent fields are unchanged; `rate: null` falls back to the server's rate. A REALITY
/// `private_key` left "" keeps the stored key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeClientUpdateRequest {
    pub server_id: Option<Uuid>,
    pub node_id: Option<u32>,
    pub name: Option<String>,
    pub port: Option<u16>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<Object>)]
    pub hop_ports: Option<Option<serde_json::Value>>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Value>,
    pub group_ids: Option<Vec<Uuid>>,
    pub tags: Option<Vec<String>>,
    pub show: Option<bool>,
    pub sort: Option<i32>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub rate: Option<Option<serde_json::Value>>,
    pub alivelist_shape: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub routes: Option<serde_json::Value>,
}

/// A node client's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeStatus {
    pub client_id: Uuid,
    pub server_id: Uuid,
    pub name: String,
    pub protocol: String,
    /// Pulled or pushed within `node_health_check.offline_timeout`.
    pub online: bool,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_push_at: Option<DateTime<Utc>>,
    /// Users in the agent's last `alive` report; null when none is kept.
    pub online_users: Option<u32>,
    /// Last `status` report: `cpu`, `mem`, `swap`, `disk` ({total, used}).
    #[schema(value_type = Option<Object>)]
    pub load: Option<serde_json::Value>,
}

impl From<StatusRecord> for NodeStatus {
    fn from(s: StatusRecord) -> Self {
        let r = s.client;
        Self {
            client_id: r.client.id.0,
            server_id: r.client.server_id.0,
            protocol: r.client.protocol().as_str().to_owned(),
            name: r.client.name,
            online: s.online,
            last_pull_at: r.last_pull_at,
            last_push_at: r.last_push_at,
            online_users: s.online_users,
            load: r.load,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeStatusPage {
    pub items: Vec<NodeStatus>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NodeStatusQuery {
    pub server_id: Option<String>,
    /// `true` or `false`.
    pub online: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
