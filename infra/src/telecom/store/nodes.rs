//! `telecom.node_servers` and `telecom.node_clients`.

use chrono::{DateTime, Utc};
use helium_domain::telecom::commands::{NodeClientDraft, NodeServerDraft};
use helium_domain::telecom::model::{
    AgentNodeId, AlivelistShape, GroupId, NodeClient, NodeClientId, NodeServer, NodeServerId, PortRange,
    ProtocolSettings, Rate, Route,
};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbError, DbResult, ex};

/// A server as staff see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRecord {
    pub server: NodeServer,
    pub maintenance_message: Option<String>,
    pub maintenance_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A client as staff see it, with what its agent last reported.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRecord {
    pub client: NodeClient,
    pub online: bool,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub last_push_at: Option<DateTime<Utc>>,
    pub load: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

struct ServerRow {
    id: Uuid,
    name: String,
    address: String,
    region: Option<String>,
    rate: Decimal,
    tags: Vec<String>,
    maintenance: bool,
    maintenance_message: Option<String>,
    maintenance_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ServerRow> for ServerRecord {
    fn from(r: ServerRow) -> Self {
        ServerRecord {
            server: NodeServer {
                id: NodeServerId(r.id),
                name: r.name,
                address: r.address,
                region: r.region,
                rate: Rate(r.rate),
                tags: r.tags,
                maintenance: r.maintenance,
            },
            maintenance_message: r.maintenance_message,
            maintenance_until: r.maintenance_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

struct ClientRow {
    id: Uuid,
    server_id: Uuid,
    node_id: i32,
    name: String,
    port: i32,
    hop_ports: Option<serde_json::Value>,
    settings: serde_json::Value,
    group_ids: Vec<Uuid>,
    tags: Vec<String>,
    show: bool,
    sort: i32,
    rate: Option<Decimal>,
    alivelist_shape: String,
    routes: serde_json::Value,
    online: bool,
    last_pull_at: Option<DateTime<Utc>>,
    last_push_at: Option<DateTime<Utc>>,
    load: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn decode<T: serde::de::DeserializeOwned>(v: serde_json::Value, what: &str) -> DbResult<T> {
    serde_json::from_value(v).map_err(|e| DbError::from(sqlx::Error::Decode(format!("node client {what}: {e}").into())))
}

impl TryFrom<ClientRow> for ClientRecord {
    type Error = DbError;

    fn try_from(r: ClientRow) -> DbResult<Self> {
        let settings: ProtocolSettings = decode(r.settings, "settings")?;
        let hop_ports: Option<PortRange> = r.hop_ports.map(|v| decode(v, "hop_ports")).transpose()?;
        let routes: Vec<Route> = decode(r.routes, "routes")?;
        Ok(ClientRecord {
            client: NodeClient {
                id: NodeClientId(r.id),
                server_id: NodeServerId(r.server_id),
                node_id: AgentNodeId(u32::try_from(r.node_id).unwrap_or(0)),
                name: r.name,
                port: u16::try_from(r.port).unwrap_or(0),
                hop_ports,
                settings,
                group_ids: r.group_ids.into_iter().map(GroupId).collect(),
                tags: r.tags,
                show: r.show,
                sort: r.sort,
                rate: r.rate.map(Rate),
                alivelist_shape: if r.alivelist_shape == "ips" { AlivelistShape::Ips } else { AlivelistShape::Count },
                routes,
            },
            online: r.online,
            last_pull_at: r.last_pull_at,
            last_push_at: r.last_push_at,
            load: r.load,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn shape(s: AlivelistShape) -> &'static str {
    match s {
        AlivelistShape::Count => "count",
        AlivelistShape::Ips => "ips",
    }
}

pub async fn insert_server(c: &mut PgConnection, id: Uuid, d: &NodeServerDraft) -> DbResult<ServerRecord> {
    let row = sqlx::query_as!(
        ServerRow,
        r#"INSERT INTO telecom.node_servers (id, name, address, region, rate, tags, maintenance)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, name, address, region, rate, tags, maintenance, maintenance_message, maintenance_until,
                     created_at, updated_at"#,
        id,
        d.name,
        d.address,
        d.region,
        d.rate.0,
        &d.tags,
        d.maintenance
    )
    .fetch_one(ex(c))
    .await?;
    Ok(row.into())
}

pub async fn update_server(c: &mut PgConnection, id: Uuid, d: &NodeServerDraft) -> DbResult<Option<ServerRecord>> {
    let row = sqlx::query_as!(
        ServerRow,
        r#"UPDATE telecom.node_servers
              SET name = $2, address = $3, region = $4, rate = $5, tags = $6, maintenance = $7, updated_at = now()
            WHERE id = $1
        RETURNING id, name, address, region, rate, tags, maintenance, maintenance_message, maintenance_until,
                  created_at, updated_at"#,
        id,
        d.name,
        d.address,
        d.region,
        d.rate.0,
        &d.tags,
        d.maintenance
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(Into::into))
}

pub async fn set_maintenance(
    c: &mut PgConnection,
    id: Uuid,
    enabled: bool,
    message: Option<&str>,
    until: Option<DateTime<Utc>>,
) -> DbResult<Option<ServerRecord>> {
    let row = sqlx::query_as!(
        ServerRow,
        r#"UPDATE telecom.node_servers
              SET maintenance = $2, maintenance_message = $3, maintenance_until = $4, updated_at = now()
            WHERE id = $1
        RETURNING id, name, address, region, rate, tags, maintenance, maintenance_message, maintenance_until,
                  created_at, updated_at"#,
        id,
        enabled,
        message,
        until
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(Into::into))
}

pub async fn server(c: &mut PgConnection, id: Uuid) -> DbResult<Option<ServerRecord>> {
    let row = sqlx::query_as!(
        ServerRow,
        r#"SELECT id, name, address, region, rate, tags, maintenance, maintenance_message, maintenance_until,
                  created_at, updated_at
             FROM telecom.node_servers WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(Into::into))
}

pub async fn servers(
    c: &mut PgConnection,
    region: Option<&str>,
    maintenance: Option<bool>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<ServerRecord>> {
    let (at, id) = after.map_or((None, None), |(t, i)| (Some(t), Some(i)));
    let rows = sqlx::query_as!(
        ServerRow,
        r#"SELECT id, name, address, region, rate, tags, maintenance, maintenance_message, maintenance_until,
                  created_at, updated_at
             FROM telecom.node_servers
            WHERE ($1::text IS NULL OR region = $1) AND ($2::bool IS NULL OR maintenance = $2)
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $5"#,
        region,
        maintenance,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// `false` when the server still has clients (the foreign key refuses).
pub async fn delete_server(c: &mut PgConnection, id: Uuid) -> DbResult<Option<bool>> {
    match sqlx::query!("DELETE FROM telecom.node_servers WHERE id = $1", id).execute(ex(c)).await {
        Ok(done) => Ok((done.rows_affected() == 1).then_some(true)),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23503") => Ok(Some(false)),
        Err(e) => Err(e.into()),
    }
}

/// `None` when `(protocol, node_id)` is taken.
pub async fn insert_client(
    c: &mut PgConnection,
    id: Uuid,
    server_id: Uuid,
    d: &NodeClientDraft,
) -> DbResult<Option<ClientRecord>> {
    let row = sqlx::query_as!(
        ClientRow,
        r#"INSERT INTO telecom.node_clients (id, server_id, node_id, protocol, name, port, hop_ports, settings,
                                            group_ids, tags, show, sort, rate, alivelist_shape, routes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (protocol, node_id) DO NOTHING
           RETURNING id, server_id, node_id, name, port, hop_ports, settings, group_ids, tags, show, sort,
                     rate, alivelist_shape, routes, online, last_pull_at, last_push_at, load, created_at, updated_at"#,
        id,
        server_id,
        d.node_id.0 as i32,
        d.settings.protocol().as_str(),
        d.name,
        i32::from(d.port),
        d.hop_ports.as_ref().map(json),
        json(&d.settings),
        &d.group_ids.iter().map(|g| g.0).collect::<Vec<_>>(),
        &d.tags,
        d.show,
        d.sort,
        d.rate.map(|r| r.0),
        shape(d.alivelist_shape),
        json(&d.routes)
    )
    .fetch_optional(ex(c))
    .await?;
    row.map(TryInto::try_into).transpose()
}

/// What replacing a client did.
#[derive(Debug)]
pub enum ClientUpdate {
    Updated(Box<ClientRecord>),
    NotFound,
    /// The new `(protocol, node_id)` belongs to another client.
    NodeIdTaken,
}

pub async fn update_client(
    c: &mut PgConnection,
    id: Uuid,
    server_id: Uuid,
    d: &NodeClientDraft,
) -> DbResult<ClientUpdate> {
    let result = sqlx::query_as!(
        ClientRow,
        r#"UPDATE telecom.node_clients
              SET server_id = $2, node_id = $3, protocol = $4, name = $5, port = $6, hop_ports = $7, settings = $8,
                  group_ids = $9, tags = $10, show = $11, sort = $12, rate = $13, alivelist_shape = $14,
                  routes = $15, updated_at = now()
            WHERE id = $1
        RETURNING id, server_id, node_id, name, port, hop_ports, settings, group_ids, tags, show, sort,
                  rate, alivelist_shape, routes, online, last_pull_at, last_push_at, load, created_at, updated_at"#,
        id,
        server_id,
        d.node_id.0 as i32,
        d.settings.protocol().as_str(),
        d.name,
        i32::from(d.port),
        d.hop_ports.as_ref().map(json),
        json(&d.settings),
        &d.group_ids.iter().map(|g| g.0).collect::<Vec<_>>(),
        &d.tags,
        d.show,
        d.sort,
        d.rate.map(|r| r.0),
        shape(d.alivelist_shape),
        json(&d.routes)
    )
    .fetch_optional(ex(c))
    .await;
    match result {
        Ok(Some(row)) => Ok(ClientUpdate::Updated(Box::new(row.try_into()?))),
        Ok(None) => Ok(ClientUpdate::NotFound),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => Ok(ClientUpdate::NodeIdTaken),
        Err(e) => Err(e.into()),
    }
}

pub async fn client(c: &mut PgConnection, id: Uuid) -> DbResult<Option<ClientRecord>> {
    let row = sqlx::query_as!(
        ClientRow,
        r#"SELECT id, server_id, node_id, name, port, hop_ports, settings, group_ids, tags, show, sort,
                  rate, alivelist_shape, routes, online, last_pull_at, last_push_at, load, created_at, updated_at
             FROM telecom.node_clients WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?;
    row.map(TryInto::try_into).transpose()
}

pub async fn clients(
    c: &mut PgConnection,
    server_id: Option<Uuid>,
    protocol: Option<&str>,
    group_id: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<ClientRecord>> {
    let (at, id) = after.map_or((None, None), |(t, i)| (Some(t), Some(i)));
    let rows = sqlx::query_as!(
        ClientRow,
        r#"SELECT id, server_id, node_id, name, port, hop_ports, settings, group_ids, tags, show, sort,
                  rate, alivelist_shape, routes, online, last_pull_at, last_push_at, load, created_at, updated_at
             FROM telecom.node_clients
            WHERE ($1::uuid IS NULL OR server_id = $1) AND ($2::text IS NULL OR protocol = $2)
              AND ($3::uuid IS NULL OR $3 = ANY (group_ids))
              AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $6"#,
        server_id,
        protocol,
        group_id,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Clients with their agent's last contact, for the status page: `online` keeps those seen
/// (pull or push) at or after `cutoff` (`Some(true)`) or not (`Some(false)`).
pub async fn statuses(
    c: &mut PgConnection,
    server_id: Option<Uuid>,
    online: Option<bool>,
    cutoff: DateTime<Utc>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<ClientRecord>> {
    let (at, id) = after.map_or((None, None), |(t, i)| (Some(t), Some(i)));
    let rows = sqlx::query_as!(
        ClientRow,
        r#"SELECT id, server_id, node_id, name, port, hop_ports, settings, group_ids, tags, show, sort,
                  rate, alivelist_shape, routes, online, last_pull_at, last_push_at, load, created_at, updated_at
             FROM telecom.node_clients
            WHERE ($1::uuid IS NULL OR server_id = $1)
              AND ($2::bool IS NULL
                   OR (COALESCE(GREATEST(last_pull_at, last_push_at) >= $3, false)) = $2)
              AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $6"#,
        server_id,
        online,
        cutoff,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Every client of a server (its detail page).
pub async fn clients_of(c: &mut PgConnection, server_id: Uuid) -> DbResult<Vec<ClientRecord>> {
    clients(c, Some(server_id), None, None, None, 1000).await
}

/// The clients agents may ask for by `node_id` (one per protocol at most).
pub async fn by_node_id(c: &mut PgConnection, node_id: i32) -> DbResult<Vec<(ClientRecord, ServerRecord)>> {
    let ids = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM telecom.node_clients WHERE node_id = $1 ORDER BY protocol"#,
        node_id
    )
    .fetch_all(ex(c))
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(cl) = client(c, id).await?
            && let Some(s) = server(c, cl.client.server_id.0).await?
        {
            out.push((cl, s));
        }
    }
    Ok(out)
}

pub async fn delete_client(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query!("DELETE FROM telecom.node_clients WHERE id = $1", id).execute(ex(c)).await?.rows_affected() == 1)
}

/// Every client customers may see (shown, server not in maintenance), with its server, in
/// display order.
pub async fn visible(c: &mut PgConnection) -> DbResult<Vec<(ClientRecord, ServerRecord)>> {
    // Two statements whatever the number of nodes: the shown clients, then their servers.
    let clients = sqlx::query_as!(
        ClientRow,
        r#"SELECT nc.id, nc.server_id, nc.node_id, nc.name, nc.port, nc.hop_ports, nc.settings, nc.group_ids, nc.tags,
                  nc.show, nc.sort, nc.rate, nc.alivelist_shape, nc.routes, nc.online, nc.last_pull_at, nc.last_push_at,
                  nc.load, nc.created_at, nc.updated_at
             FROM telecom.node_clients nc
             JOIN telecom.node_servers s ON s.id = nc.server_id
            WHERE nc.show AND NOT s.maintenance
            ORDER BY nc.sort, nc.name, nc.id"#
    )
    .fetch_all(ex(c))
    .await?;
    let servers: std::collections::HashMap<Uuid, ServerRecord> = sqlx::query_as!(
        ServerRow,
        r#"SELECT id, name, address, region, rate, tags, maintenance, maintenance_message, maintenance_until,
                  created_at, updated_at
             FROM telecom.node_servers WHERE NOT maintenance"#
    )
    .fetch_all(ex(c))
    .await?
    .into_iter()
    .map(|r| (r.id, r.into()))
    .collect();
    let mut out = Vec::with_capacity(clients.len());
    for row in clients {
        let client: ClientRecord = row.try_into()?;
        if let Some(server) = servers.get(&client.client.server_id.0) {
            out.push((client, server.clone()));
        }
    }
    Ok(out)
}

/// An agent pulled (`config`/`user`) or pushed traffic; `true` when it was offline before.
pub async fn touch(c: &mut PgConnection, id: Uuid, pulled: bool) -> DbResult<bool> {
    let was_offline = sqlx::query_scalar!(
        r#"WITH prev AS (SELECT id, online FROM telecom.node_clients WHERE id = $1 FOR UPDATE)
           UPDATE telecom.node_clients n
              SET last_pull_at = CASE WHEN $2 THEN now() ELSE n.last_pull_at END,
                  last_push_at = CASE WHEN $2 THEN n.last_push_at ELSE now() END, online = true
             FROM prev WHERE n.id = prev.id
           RETURNING NOT prev.online AS "was_offline!""#,
        id,
        pulled
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(was_offline.unwrap_or(false))
}

/// A node client that changed between online and offline.
#[derive(Debug, Clone)]
pub struct HealthChange {
    pub id: Uuid,
    pub server_id: Uuid,
    pub node_id: i32,
    pub protocol: String,
    pub name: String,
}

/// Marks offline the clients whose agent was last seen before `cutoff` (or never).
pub async fn mark_offline(c: &mut PgConnection, cutoff: DateTime<Utc>, limit: i64) -> DbResult<Vec<HealthChange>> {
    Ok(sqlx::query_as!(
        HealthChange,
        r#"UPDATE telecom.node_clients SET online = false
            WHERE id IN (SELECT id FROM telecom.node_clients
                          WHERE online AND COALESCE(GREATEST(last_pull_at, last_push_at), '-infinity') < $1
                          LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id, server_id, node_id, protocol, name"#,
        cutoff,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn record_status(c: &mut PgConnection, id: Uuid, load: &serde_json::Value) -> DbResult<()> {
    sqlx::query!(
        "UPDATE telecom.node_clients SET load = $2, online = true, last_push_at = now() WHERE id = $1",
        id,
        load
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
