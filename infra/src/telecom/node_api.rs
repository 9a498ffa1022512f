//! The UniProxy node API as released XrayR and V2bX call it (WIRE-FORMATS Part A): `config`
//! and `user` from per-node snapshots with ETags (an unchanged pull reads no database and
//! renders nothing), traffic `push` in two statements with retried-body deduplication,
//! `alive`/`alivelist` device counts in Redis, `status` load reports.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use helium_domain::config::Secret;
use helium_domain::events::types;
use helium_domain::telecom::model::{AgentUserId, AlivelistShape};
use helium_domain::telecom::node_api::{
    AliveEntry, BaseConfig, NodeType, NodeUser, if_none_match_matches, parse_alive, parse_push, parse_status,
    render_alivelist_counts, render_alivelist_ips, render_config, render_users,
};
use helium_domain::{DomainError, ErrorCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::context::TelecomContext;
use super::packages::Packages;
use super::snapshots::Snapshot;
use super::store::nodes::{self as nodes, ClientRecord, ServerRecord};
use super::store::{packages, users};
use crate::db::ex;

/// An identical push body from the same node within this window is a retry.
const PUSH_RETRY_WINDOW_SECS: f64 = 30.0;
/// Bound on one push (users × two counters).
const MAX_PUSH_USERS: usize = 200_000;
/// An agent's contact is written at most this often per node and kind (pull, push): pulls
/// are served from memory and must not each cost a database write.
const CONTACT_NOTE_EVERY: Duration = Duration::from_secs(15);

/// The answer to a pull.
#[derive(Debug, Clone)]
pub enum Pulled {
    NotModified(String),
    Fresh(Arc<Snapshot>),
}

#[derive(Debug)]
pub struct NodeEntry {
    pub client: ClientRecord,
    pub server: ServerRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Counted: this many users' traffic.
    Counted(usize),
    /// An identical body was counted moments ago.
    Duplicate,
}

pub struct NodeApi {
    ctx: Arc<TelecomContext>,
    packages: Packages,
    nodes: RwLock<HashMap<String, (u64, Arc<NodeEntry>)>>,
    contacts: Mutex<HashMap<(Uuid, bool), Instant>>,
}

fn node_not_found() -> DomainError {
    DomainError::rejected(ErrorCode::NodeNotFound, "no node with this node_id and node_type")
}

impl NodeApi {
    pub fn new(ctx: Arc<TelecomContext>, packages: Packages) -> Self {
        Self { ctx, packages, nodes: RwLock::default(), contacts: Mutex::default() }
    }

    /// Records that a node's agent pulled (`pulled`) or pushed, for the status page; throttled
    /// and written in the background, so the request holds no connection for it.
    fn note_contact(&self, id: Uuid, pulled: bool) {
        let now = Instant::now();
        {
            let Ok(mut seen) = self.contacts.lock() else { return };
            if seen.get(&(id, pulled)).is_some_and(|at| now.duration_since(*at) < CONTACT_NOTE_EVERY) {
                return;
            }
            seen.insert((id, pulled), now);
        }
        let db = self.ctx.db.clone();
        tokio::spawn(async move {
            let write = async {
                crate::transaction!(db, |tx| {
                    if nodes::touch(tx, id, pulled).await? {
                        super::nodes::announce_health(tx, types::NODE_ONLINE, id).await?;
                    }
                    Ok(())
                })
            };
            let written: Result<(), DomainError> = write.await;
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not record a node's contact");
            }
        });
    }

    /// `token` against `telecom.vpn_server_token` or, during a rotation, the previous token
    /// (both compared, in constant time).
    pub async fn authenticate(&self, token: Option<&str>) -> Result<(), DomainError> {
        let cfg = self.ctx.telecom_config().await?;
        let given = token.unwrap_or("").as_bytes();
        let matches = |expected: &Secret| {
            let expected = expected.expose().as_bytes();
            !expected.is_empty() && bool::from(expected.ct_eq(given))
        };
        let current = matches(&cfg.vpn_server_token);
        let previous = matches(&cfg.vpn_server_token_previous);
        if !(current | previous) {
            return Err(DomainError::rejected(ErrorCode::NodeTokenInvalid, "node token missing or wrong"));
        }
        if previous {
            tracing::debug!("a node agent used the previous node token");
        }
        Ok(())
    }

    /// The node an agent names, cached per epoch.
    pub async fn node(&self, node_id: &str, node_type: &str) -> Result<(u64, Arc<NodeEntry>), DomainError> {
        let id: i32 = node_id.trim().parse().ok().filter(|n| *n >= 1).ok_or_else(node_not_found)?;
        let kind = NodeType::parse(node_type).ok_or_else(node_not_found)?;
        let key = format!("{id}:{}", node_type.trim().to_ascii_lowercase());
        let epoch = self.ctx.snapshots.epoch().await;
        if let Ok(map) = self.nodes.read()
            && let Some((e, entry)) = map.get(&key)
            && *e == epoch
        {
            return Ok((epoch, entry.clone()));
        }
        let candidates = {
            let mut c = self.ctx.db.conn().await?;
            nodes::by_node_id(&mut c, id).await?
        };
        let (client, server) =
            candidates.into_iter().find(|(c, _)| kind.accepts(c.client.protocol())).ok_or_else(node_not_found)?;
        let entry = Arc::new(NodeEntry { client, server });
        if let Ok(mut map) = self.nodes.write() {
            map.insert(key, (epoch, entry.clone()));
        }
        Ok((epoch, entry))
    }

    async fn pull(
        &self,
        name: String,
        epoch: u64,
        if_none_match: Option<&str>,
        build: impl std::future::Future<Output = Result<Vec<u8>, DomainError>>,
    ) -> Result<Pulled, DomainError> {
        let snap = match self.ctx.snapshots.body(&name, epoch).await {
            Some(s) => s,
            None => {
                let body = build.await?;
                self.ctx.snapshots.store(&name, epoch, body).await
            }
        };
        if if_none_match_matches(if_none_match, &snap.etag) {
            return Ok(Pulled::NotModified(snap.etag.clone()));
        }
        Ok(Pulled::Fresh(snap))
    }

    /// `GET user`: the customers this node serves.
    pub async fn users(
        &self,
        node_id: &str,
        node_type: &str,
        if_none_match: Option<&str>,
    ) -> Result<Pulled, DomainError> {
        let (epoch, node) = self.node(node_id, node_type).await?;
        self.note_contact(node.client.client.id.0, true);
        let name = format!("users:{}", node.client.client.id);
        let ctx = &self.ctx;
        self.pull(name, epoch, if_none_match, async {
            let groups: Vec<Uuid> = node.client.client.group_ids.iter().map(|g| g.0).collect();
            let rows = {
                let mut c = ctx.db.conn().await?;
                users::for_node(&mut c, &groups).await?
            };
            let list: Vec<NodeUser> = rows
                .into_iter()
                .map(|r| NodeUser {
                    id: AgentUserId(u64::try_from(r.agent_id).unwrap_or(0)),
                    uuid: r.uuid,
                    speed_limit: r.speed_limit_mbps.and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
                    device_limit: r.device_limit.and_then(|d| u32::try_from(d).ok()).unwrap_or(0),
                })
                .collect();
            Ok(render_users(&list))
        })
        .await
    }

    /// `GET config`: the node's protocol settings.
    pub async fn config(
        &self,
        node_id: &str,
        node_type: &str,
        if_none_match: Option<&str>,
    ) -> Result<Pulled, DomainError> {
        let (epoch, node) = self.node(node_id, node_type).await?;
        self.note_contact(node.client.client.id.0, true);
        let name = format!("config:{}", node.client.client.id);
        let cfg = self.ctx.telecom_config().await?;
        self.pull(name, epoch, if_none_match, async {
            Ok(render_config(&node.client.client, &node.server.server.address, BaseConfig::from(&cfg.uni_proxy_sync)))
        })
        .await
    }

    /// `POST push`: traffic × the node's rate onto each user's active package, at most once
    /// per body within the retry window, in two statements; packages used up end and the next
    /// ones activate right after.
    pub async fn push(&self, node_id: &str, node_type: &str, body: &[u8]) -> Result<PushOutcome, DomainError> {
        let (_, node) = self.node(node_id, node_type).await?;
        self.note_contact(node.client.client.id.0, false);
        let batch = parse_push(body).map_err(|e| DomainError::field("body", "invalid_format", e.to_string()))?;
        if batch.deltas.len() > MAX_PUSH_USERS {
            return Err(DomainError::field("body", "too_long", format!("at most {MAX_PUSH_USERS} users per push")));
        }
        let rate = node.client.client.effective_rate(&node.server.server);
        let (mut ids, mut ups, mut downs) = (Vec::new(), Vec::new(), Vec::new());
        // What the node carried, before its rate: the dashboard's traffic series.
        let (mut carried_up, mut carried_down) = (0i64, 0i64);
        for d in &batch.deltas {
            carried_up = carried_up.saturating_add(i64::try_from(d.upload).unwrap_or(i64::MAX));
            carried_down = carried_down.saturating_add(i64::try_from(d.download).unwrap_or(i64::MAX));
            let (Ok(id), Ok(up), Ok(down)) =
                (i64::try_from(d.user.0), i64::try_from(rate.apply(d.upload)), i64::try_from(rate.apply(d.download)))
            else {
                continue;
            };
            ids.push(id);
            ups.push(up);
            downs.push(down);
        }
        let hash = Sha256::digest(body).to_vec();
        let client_id = node.client.client.id.0;
        let outcome = crate::transaction!(self.ctx.db, |tx| {
            // The receipt and the hour's traffic in one statement: a duplicate (no receipt
            // row returned) adds no traffic either.
            let fresh = sqlx::query_scalar!(
                r#"WITH receipt AS (
                     INSERT INTO telecom.push_receipts (node_client_id, body_hash) VALUES ($1, $2)
                     ON CONFLICT (node_client_id, body_hash) DO UPDATE SET received_at = now()
                      WHERE telecom.push_receipts.received_at < now() - make_interval(secs => $3)
                     RETURNING true AS fresh
                   ), carried AS (
                     INSERT INTO telecom.traffic_hourly AS t (hour, node_client_id, upload, download)
                     SELECT date_trunc('hour', now()), $1, $4::bigint, $5::bigint FROM receipt WHERE $4::bigint > 0 OR $5::bigint > 0
                     ON CONFLICT (hour, node_client_id) DO UPDATE
                       SET upload = LEAST(t.upload::numeric + EXCLUDED.upload, 9223372036854775807)::bigint,
                           download = LEAST(t.download::numeric + EXCLUDED.download, 9223372036854775807)::bigint
                   )
                   SELECT fresh AS "fresh!" FROM receipt"#,
                client_id,
                &hash,
                PUSH_RETRY_WINDOW_SECS,
                carried_up,
                carried_down
            )
            .fetch_optional(ex(tx))
            .await
            .map_err(crate::db::DbError::from)?;
            if fresh.is_none() {
                return Ok((PushOutcome::Duplicate, Vec::new()));
            }
            let spent = packages::add_traffic(tx, &ids, &ups, &downs).await?;
            Ok((PushOutcome::Counted(ids.len()), spent))
        })?;
        let (outcome, spent) = outcome;
        if !spent.is_empty() {
            // Used up: end now (not at the next sweep) so the next pull drops them.
            self.packages.sweep(spent.len() as i64 + 100).await?;
        }
        metrics::counter!("helium_node_pushes_total", "outcome" => match outcome {
            PushOutcome::Counted(_) => "counted",
            PushOutcome::Duplicate => "duplicate",
        })
        .increment(1);
        Ok(outcome)
    }

    /// `POST alive`: the IPs each user is online from on this node, kept in Redis for a few
    /// push intervals.
    pub async fn alive(&self, node_id: &str, node_type: &str, body: &[u8]) -> Result<(), DomainError> {
        let (_, node) = self.node(node_id, node_type).await?;
        let batch = parse_alive(body).map_err(|e| DomainError::field("body", "invalid_format", e.to_string()))?;
        let cfg = self.ctx.telecom_config().await?;
        let ttl = (cfg.uni_proxy_sync.push_interval.0.max(10) * 3).min(3600);
        let json = serde_json::to_vec(&batch.entries).map_err(|e| DomainError::Internal(e.to_string()))?;
        let redis = &self.ctx.redis;
        let key = redis.key(&format!("telecom:alive:{}", node.client.client.id));
        let index = redis.key("telecom:alive:nodes");
        let write = async {
            let mut conn = redis.conn().await?;
            redis::pipe()
                .cmd("SET")
                .arg(&key)
                .arg(json)
                .arg("EX")
                .arg(ttl)
                .ignore()
                .cmd("SADD")
                .arg(&index)
                .arg(node.client.client.id.to_string())
                .ignore()
                .query_async::<()>(&mut conn)
                .await?;
            anyhow::Ok(())
        };
        crate::with_timeout(Duration::from_secs(1), "Redis", write)
            .await
            .map_err(|e| DomainError::Unavailable(e.to_string()))
    }

    /// `GET alivelist`: online devices per user across every node, as this node's agent
    /// expects them (counts for V2bX, IP lists for the XrayR fork).
    pub async fn alivelist(&self, node_id: &str, node_type: &str) -> Result<Vec<u8>, DomainError> {
        let (_, node) = self.node(node_id, node_type).await?;
        let redis = &self.ctx.redis;
        let index = redis.key("telecom:alive:nodes");
        let read = async {
            let mut conn = redis.conn().await?;
            let members: Vec<String> = redis::cmd("SMEMBERS").arg(&index).query_async(&mut conn).await?;
            if members.is_empty() {
                return anyhow::Ok(Vec::new());
            }
            let keys: Vec<String> = members.iter().map(|m| redis.key(&format!("telecom:alive:{m}"))).collect();
            let blobs: Vec<Option<Vec<u8>>> = redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
            anyhow::Ok(blobs)
        };
        let blobs = crate::with_timeout(Duration::from_secs(1), "Redis", read)
            .await
            .map_err(|e| DomainError::Unavailable(e.to_string()))?;
        let mut online: BTreeMap<u64, BTreeSet<IpAddr>> = BTreeMap::new();
        for blob in blobs.into_iter().flatten() {
            let Ok(entries) = serde_json::from_slice::<Vec<AliveEntry>>(&blob) else { continue };
            for e in entries {
                online.entry(e.user.0).or_default().extend(e.ips);
            }
        }
        Ok(match node.client.client.alivelist_shape {
            AlivelistShape::Count => {
                let counts: Vec<(AgentUserId, u32)> = online
                    .iter()
                    .map(|(u, ips)| (AgentUserId(*u), u32::try_from(ips.len()).unwrap_or(u32::MAX)))
                    .collect();
                render_alivelist_counts(&counts)
            }
            AlivelistShape::Ips => {
                let entries: Vec<AliveEntry> = online
                    .into_iter()
                    .map(|(u, ips)| AliveEntry { user: AgentUserId(u), ips: ips.into_iter().collect() })
                    .collect();
                render_alivelist_ips(&entries)
            }
        })
    }

    /// `POST status`: CPU, memory, swap and disk use, shown to staff.
    pub async fn status(&self, node_id: &str, node_type: &str, body: &[u8]) -> Result<(), DomainError> {
        let (_, node) = self.node(node_id, node_type).await?;
        let status = parse_status(body).map_err(|e| DomainError::field("body", "invalid_format", e.to_string()))?;
        let load = serde_json::to_value(status).map_err(|e| DomainError::Internal(e.to_string()))?;
        let id = node.client.client.id.0;
        crate::transaction!(self.ctx.db, |tx| Ok(nodes::record_status(tx, id, &load).await?))
    }
}
