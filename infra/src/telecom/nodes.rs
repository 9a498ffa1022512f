//! Node servers and node clients for staff: validated (nothing an agent or client app would
//! crash on is saved), audited, and every change bumps the snapshot epoch.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::events::{Event, types};
use helium_domain::telecom::commands::{NodeClientDraft, NodeServerDraft};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::context::{TelecomContext, not_found};
use super::store::nodes::{self as store, ClientRecord, ClientUpdate, ServerRecord};
use crate::audit;
use crate::events::outbox;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

fn invalid(errors: Vec<helium_domain::FieldError>) -> DomainError {
    DomainError::validation(errors)
}

fn server_json(s: &ServerRecord) -> serde_json::Value {
    json!({ "name": s.server.name, "address": s.server.address, "region": s.server.region,
            "rate": s.server.rate.to_string(), "tags": s.server.tags, "maintenance": s.server.maintenance })
}

fn client_json(c: &ClientRecord) -> serde_json::Value {
    // Settings may hold secrets (SS-2022 server keys, REALITY private keys): names only.
    json!({ "server_id": c.client.server_id, "node_id": c.client.node_id, "protocol": c.client.protocol().as_str(),
            "name": c.client.name, "port": c.client.port, "show": c.client.show, "group_ids": c.client.group_ids })
}

/// Every group a client names must exist.
async fn check_groups(c: &mut sqlx::PgConnection, d: &NodeClientDraft) -> Result<(), DomainError> {
    let mut ids: Vec<Uuid> = d.group_ids.iter().map(|g| g.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if crate::shop::store::groups::count_existing(c, &ids).await? != ids.len() as i64 {
        return Err(DomainError::field("group_ids", "invalid_reference", "one of these groups does not exist"));
    }
    Ok(())
}

fn taken() -> DomainError {
    DomainError::rejected(ErrorCode::NodeIdTaken, "this node_id is taken for this protocol")
}

#[derive(Clone)]
pub struct Nodes(pub(crate) Arc<TelecomContext>);

impl Nodes {
    pub async fn create_server(&self, actor: &Actor, d: &NodeServerDraft) -> Result<ServerRecord, DomainError> {
        d.validate().map_err(invalid)?;
        let ctx = &self.0;
        let s = crate::transaction!(ctx.db, |tx| {
            let s = store::insert_server(tx, Uuid::now_v7(), d).await?;
            let change = Change::new(AuditAction::NodeServerCreate, "node_server", s.server.id).after(server_json(&s));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(s)
        })?;
        ctx.snapshots.bump().await;
        Ok(s)
    }

    pub async fn update_server(
        &self,
        actor: &Actor,
        id: Uuid,
        d: &NodeServerDraft,
    ) -> Result<ServerRecord, DomainError> {
        d.validate().map_err(invalid)?;
        let ctx = &self.0;
        let s = crate::transaction!(ctx.db, |tx| {
            let before = store::server(tx, id).await?.ok_or_else(|| not_found("node server"))?;
            let after = store::update_server(tx, id, d).await?.ok_or_else(|| not_found("node server"))?;
            let change = Change::new(AuditAction::NodeServerUpdate, "node_server", id)
                .before(server_json(&before))
                .after(server_json(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })?;
        ctx.snapshots.bump().await;
        Ok(s)
    }

    pub async fn set_maintenance(
        &self,
        actor: &Actor,
        id: Uuid,
        enabled: bool,
        message: Option<&str>,
        until: Option<DateTime<Utc>>,
    ) -> Result<ServerRecord, DomainError> {
        if message.is_some_and(|m| m.chars().count() > 500 || m.chars().any(char::is_control)) {
            return Err(DomainError::field(
                "message",
                "invalid_format",
                "at most 500 characters, no control characters",
            ));
        }
        if enabled && until.is_some_and(|u| u <= Utc::now()) {
            return Err(DomainError::field("until", "out_of_range", "must be in the future"));
        }
        let ctx = &self.0;
        let s = crate::transaction!(ctx.db, |tx| {
            let after = store::set_maintenance(tx, id, enabled, message, until)
                .await?
                .ok_or_else(|| not_found("node server"))?;
            let change = Change::new(AuditAction::NodeServerMaintenance, "node_server", id)
                .after(json!({ "maintenance": enabled, "message": message, "until": until }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })?;
        ctx.snapshots.bump().await;
        Ok(s)
    }

    pub async fn delete_server(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = store::server(tx, id).await?.ok_or_else(|| not_found("node server"))?;
            match store::delete_server(tx, id).await? {
                None => return Err(not_found("node server")),
                Some(false) => {
                    return Err(DomainError::rejected(
                        ErrorCode::ServerHasClients,
                        "delete this server's clients first",
                    ));
                }
                Some(true) => {}
            }
            let change = Change::new(AuditAction::NodeServerDelete, "node_server", id).before(server_json(&before));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })?;
        ctx.snapshots.bump().await;
        Ok(())
    }

    pub async fn server(&self, id: Uuid) -> Result<(ServerRecord, Vec<ClientRecord>), DomainError> {
        let mut c = self.0.db.conn().await?;
        let s = store::server(&mut c, id).await?.ok_or_else(|| not_found("node server"))?;
        let clients = store::clients_of(&mut c, id).await?;
        Ok((s, clients))
    }

    pub async fn servers(
        &self,
        region: Option<&str>,
        maintenance: Option<bool>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<ServerRecord>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("node_servers|{region:?}|{maintenance:?}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::servers(&mut c, region, maintenance, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |s| (s.created_at, s.server.id.0)))
    }

    pub async fn create_client(
        &self,
        actor: &Actor,
        server_id: Uuid,
        d: &NodeClientDraft,
    ) -> Result<ClientRecord, DomainError> {
        d.validate().map_err(invalid)?;
        let ctx = &self.0;
        let cl = crate::transaction!(ctx.db, |tx| {
            store::server(tx, server_id)
                .await?
                .ok_or_else(|| DomainError::field("server_id", "invalid_reference", "no such server"))?;
            check_groups(tx, d).await?;
            let cl = store::insert_client(tx, Uuid::now_v7(), server_id, d).await?.ok_or_else(taken)?;
            let change =
                Change::new(AuditAction::NodeClientCreate, "node_client", cl.client.id).after(client_json(&cl));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(cl)
        })?;
        ctx.snapshots.bump().await;
        Ok(cl)
    }

    pub async fn update_client(
        &self,
        actor: &Actor,
        id: Uuid,
        server_id: Uuid,
        d: &NodeClientDraft,
    ) -> Result<ClientRecord, DomainError> {
        d.validate().map_err(invalid)?;
        let ctx = &self.0;
        let cl = crate::transaction!(ctx.db, |tx| {
            let before = store::client(tx, id).await?.ok_or_else(|| not_found("node client"))?;
            store::server(tx, server_id)
                .await?
                .ok_or_else(|| DomainError::field("server_id", "invalid_reference", "no such server"))?;
            check_groups(tx, d).await?;
            let after = match store::update_client(tx, id, server_id, d).await? {
                ClientUpdate::Updated(c) => *c,
                ClientUpdate::NotFound => return Err(not_found("node client")),
                ClientUpdate::NodeIdTaken => return Err(taken()),
            };
            let change = Change::new(AuditAction::NodeClientUpdate, "node_client", id)
                .before(client_json(&before))
                .after(client_json(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })?;
        ctx.snapshots.bump().await;
        Ok(cl)
    }

    pub async fn delete_client(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = store::client(tx, id).await?.ok_or_else(|| not_found("node client"))?;
            store::delete_client(tx, id).await?;
            let change = Change::new(AuditAction::NodeClientDelete, "node_client", id).before(client_json(&before));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })?;
        ctx.snapshots.bump().await;
        Ok(())
    }

    pub async fn client(&self, id: Uuid) -> Result<ClientRecord, DomainError> {
        let mut c = self.0.db.conn().await?;
        store::client(&mut c, id).await?.ok_or_else(|| not_found("node client"))
    }

    pub async fn clients(
        &self,
        server_id: Option<Uuid>,
        protocol: Option<&str>,
        group_id: Option<Uuid>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<ClientRecord>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("node_clients|{server_id:?}|{protocol:?}|{group_id:?}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::clients(&mut c, server_id, protocol, group_id, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |r| (r.created_at, r.client.id.0)))
    }

    /// Agents' health for staff: seen within `node_health_check.offline_timeout`, the users
    /// online on each (from the last `alive` report) and the last reported load.
    pub async fn statuses(
        &self,
        server_id: Option<Uuid>,
        online: Option<bool>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<NodeStatus>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("node_status|{server_id:?}|{online:?}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let cutoff = self.offline_cutoff().await?;
        let rows = {
            let mut c = self.0.db.conn().await?;
            store::statuses(&mut c, server_id, online, cutoff, after, limit + 1).await?
        };
        let page = page_of(rows, limit, &scope, |r| (r.created_at, r.client.id.0));
        let users = self.online_users(&page.items).await;
        let items = page
            .items
            .into_iter()
            .zip(users)
            .map(|(r, online_users)| NodeStatus { online: seen_since(&r, cutoff), online_users, client: r })
            .collect();
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// Agents last seen before this are offline.
    pub async fn offline_cutoff(&self) -> Result<DateTime<Utc>, DomainError> {
        Ok(self.0.telecom_config().await?.node_health_check.offline_cutoff(Utc::now()))
    }

    /// Users in each client's last `alive` report; `None` when none is kept or Redis is down
    /// (a status page must not fail because of it).
    async fn online_users(&self, clients: &[ClientRecord]) -> Vec<Option<u32>> {
        if clients.is_empty() {
            return Vec::new();
        }
        let redis = &self.0.redis;
        let keys: Vec<String> = clients.iter().map(|c| redis.key(&format!("telecom:alive:{}", c.client.id))).collect();
        let read = async {
            let mut conn = redis.conn().await?;
            let blobs: Vec<Option<Vec<u8>>> = redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
            anyhow::Ok(blobs)
        };
        match crate::with_timeout(std::time::Duration::from_secs(1), "Redis", read).await {
            Ok(blobs) => blobs
                .into_iter()
                .map(|b| {
                    b.and_then(|b| serde_json::from_slice::<Vec<serde_json::Value>>(&b).ok())
                        .map(|v| u32::try_from(v.len()).unwrap_or(u32::MAX))
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "online users unavailable");
                vec![None; clients.len()]
            }
        }
    }
}

/// `node.online` / `node.offline` for one client, in the caller's transaction.
pub(crate) async fn announce_health(
    tx: &mut sqlx::PgConnection,
    event_type: &str,
    id: Uuid,
) -> Result<(), DomainError> {
    let Some(c) = store::client(tx, id).await? else { return Ok(()) };
    let change = store::HealthChange {
        id,
        server_id: c.client.server_id.0,
        node_id: c.client.node_id.0 as i32,
        protocol: c.client.protocol().as_str().to_owned(),
        name: c.client.name,
    };
    outbox::append(tx, &health_event(event_type, &change)).await?;
    Ok(())
}

fn health_event(event_type: &str, c: &store::HealthChange) -> Event {
    let payload = json!({ "client_id": c.id, "server_id": c.server_id, "node_id": c.node_id,
                          "protocol": c.protocol, "name": c.name });
    Event::new(Uuid::now_v7(), event_type, c.id.to_string(), Utc::now(), payload)
}

impl Nodes {
    /// Cron: clients whose agent has not been seen within `node_health_check.offline_timeout`
    /// go offline, each with a `node.offline` event.
    pub async fn mark_offline(&self, batch: i64) -> Result<u64, DomainError> {
        let cutoff = self.offline_cutoff().await?;
        crate::transaction!(self.0.db, |tx| {
            let gone = store::mark_offline(tx, cutoff, batch).await?;
            for c in &gone {
                outbox::append(tx, &health_event(types::NODE_OFFLINE, c)).await?;
            }
            Ok(gone.len() as u64)
        })
    }
}

/// Whether an agent pulled or pushed at or after `cutoff`.
pub fn seen_since(r: &ClientRecord, cutoff: DateTime<Utc>) -> bool {
    r.last_pull_at.max(r.last_push_at).is_some_and(|t| t >= cutoff)
}

/// One node client's health as staff see it.
#[derive(Debug, Clone)]
pub struct NodeStatus {
    pub client: ClientRecord,
    pub online: bool,
    pub online_users: Option<u32>,
}
