//! `GET /subscribe/{token}`: the customer's nodes as the detected client app wants them
//! (WIRE-FORMATS Part B). Views are cached per token hash and epoch, so a repeated fetch
//! renders from memory and never writes to the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use bytes::Bytes;

use helium_domain::DomainError;
use helium_domain::ErrorCode;
use helium_domain::telecom::subscribe::{
    Document, NodeFilter, RenderOptions, SubscriptionNode, SubscriptionUser, SubscriptionView, detect_client, render,
    unique_names,
};
use uuid::Uuid;

use super::context::TelecomContext;
use super::snapshots::VIEW_MAX_AGE;
use super::store::{nodes, packages, subscriptions as subs, users};
use super::subscriptions::{HASH_LABEL, token_hash};

/// The site name in profile titles and file names.
pub const APP_NAME: &str = "Helium";

/// Rendered documents kept per cached view (one per app and filter a customer uses).
const RENDERED_PER_VIEW: usize = 4;
/// Bound on the bytes of all kept documents; above it, documents are rendered and not kept.
/// Sized for the resident-set target (150 MB at 100k customers): a kept document serves a
/// burst of fetches within a view's 30 s; past the budget a fetch renders again (~0.15 ms).
const RENDERED_BUDGET_BYTES: usize = 16 * 1024 * 1024;

/// A rendered document, shared by the fetches with the same inputs while its view lives.
#[derive(Debug)]
pub struct Served {
    pub body: Bytes,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    /// Returned to the budget when the last fetch holding it is done.
    budget: Option<Arc<AtomicUsize>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(b) = &self.budget {
            b.fetch_sub(self.body.len(), Ordering::Relaxed);
        }
    }
}

/// What a subscription fetch answers.
#[derive(Debug)]
pub enum Answer {
    Document(Arc<Served>),
    /// The account exists but may not be served (banned): 403, empty body.
    Forbidden,
}

/// The request-side inputs of one fetch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fetch<'a> {
    pub flag: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub types: Option<&'a str>,
    pub filter: Option<&'a str>,
    pub request_host: &'a str,
    pub subscribe_url: &'a str,
}

struct CachedView {
    usable: bool,
    view: SubscriptionView,
    /// Documents rendered from this view, by their inputs (see [`render_key`]).
    rendered: Mutex<Vec<(String, Arc<Served>)>>,
}

/// The nodes shown in subscriptions, as of one epoch.
type VisibleNodes = Arc<Vec<(nodes::ClientRecord, nodes::ServerRecord)>>;

/// The nodes of one epoch, and the subscription node lists made from them per package group
/// set: every view of customers whose packages open the same nodes shares one list.
struct EpochNodes {
    epoch: u64,
    loaded_at: Instant,
    visible: VisibleNodes,
    lists: HashMap<Vec<Uuid>, Arc<[SubscriptionNode]>>,
}

pub struct Documents {
    ctx: Arc<TelecomContext>,
    hash_key: OnceLock<[u8; 32]>,
    rendered_bytes: Arc<AtomicUsize>,
    /// Shared by every view built in the same epoch: a view rebuild (a cache miss) reads the
    /// customer's rows, not every node's.
    visible: Mutex<Option<EpochNodes>>,
}

/// Everything a rendering depends on besides the view.
fn render_key(client: &helium_domain::telecom::subscribe::Client, f: &Fetch<'_>) -> String {
    format!(
        "{client:?}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        f.types.unwrap_or(""),
        f.filter.unwrap_or(""),
        f.request_host,
        f.subscribe_url
    )
}

/// Whether a package opens a node: the node is in one of its groups, or in none (open to all).
fn opens(client: &nodes::ClientRecord, p: &helium_domain::telecom::package::Package) -> bool {
    let groups = &client.client.group_ids;
    groups.is_empty() || groups.iter().any(|g| p.group_ids.contains(&g.0))
}

fn not_found() -> DomainError {
    DomainError::rejected(ErrorCode::SubscriptionNotFound, "no subscription has this token")
}

impl Documents {
    pub fn new(ctx: Arc<TelecomContext>) -> Self {
        Self { ctx, hash_key: OnceLock::new(), rendered_bytes: Arc::default(), visible: Mutex::default() }
    }

    async fn hash(&self, token: &str) -> Result<Vec<u8>, DomainError> {
        if let Some(key) = self.hash_key.get() {
            return token_hash(key, token);
        }
        let mut c = self.ctx.db.conn().await?;
        let key = self.ctx.keys.derived(&mut c, HASH_LABEL).await?;
        let _ = self.hash_key.set(key);
        token_hash(&key, token)
    }

    pub async fn fetch(&self, token: &str, f: Fetch<'_>) -> Result<Answer, DomainError> {
        if token.is_empty()
            || token.len() > 128
            || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(not_found());
        }
        let hash = self.hash(token).await?;
        let epoch = self.ctx.snapshots.epoch().await;
        let cached = match self.ctx.snapshots.view::<CachedView>(&hash, epoch) {
            Some(v) => v,
            None => {
                let v = Arc::new(self.build(&hash, epoch).await?);
                self.ctx.snapshots.keep_view(&hash, epoch, v.clone());
                v
            }
        };
        if !cached.usable {
            return Ok(Answer::Forbidden);
        }
        let client = detect_client(f.flag, f.user_agent);
        let key = render_key(&client, &f);
        if let Some(doc) =
            cached.rendered.lock().ok().and_then(|r| r.iter().find(|(k, _)| *k == key).map(|e| e.1.clone()))
        {
            return Ok(Answer::Document(doc));
        }
        let filter = NodeFilter::parse(f.types, f.filter);
        let opts = RenderOptions {
            app_name: APP_NAME,
            request_host: f.request_host,
            subscribe_url: f.subscribe_url,
            site_url: None,
        };
        let doc = render(&cached.view, &filter, client, &opts);
        Ok(Answer::Document(self.keep(&cached, key, doc)))
    }

    /// Keeps a rendered document with its view while the budget allows.
    fn keep(&self, cached: &CachedView, key: String, doc: Document) -> Arc<Served> {
        let len = doc.body.len();
        let fits = self.rendered_bytes.fetch_add(len, Ordering::Relaxed) + len <= RENDERED_BUDGET_BYTES;
        if !fits {
            self.rendered_bytes.fetch_sub(len, Ordering::Relaxed);
        }
        let served = Arc::new(Served {
            body: Bytes::from(doc.body),
            content_type: doc.content_type,
            headers: doc.headers,
            budget: fits.then(|| self.rendered_bytes.clone()),
        });
        if fits && let Ok(mut kept) = cached.rendered.lock() {
            if kept.len() >= RENDERED_PER_VIEW {
                kept.remove(0);
            }
            kept.push((key, served.clone()));
        }
        served
    }

    /// The shown nodes of `epoch`, loaded on `c` when this process has none of that epoch
    /// younger than [`VIEW_MAX_AGE`] (node edits bump the epoch; the age bounds anything else).
    async fn visible_nodes(&self, c: &mut sqlx::PgConnection, epoch: u64) -> Result<VisibleNodes, DomainError> {
        if let Ok(kept) = self.visible.lock()
            && let Some(k) = kept.as_ref()
            && k.epoch == epoch
            && k.loaded_at.elapsed() <= VIEW_MAX_AGE
        {
            return Ok(k.visible.clone());
        }
        let visible = Arc::new(nodes::visible(c).await?);
        if let Ok(mut kept) = self.visible.lock() {
            *kept =
                Some(EpochNodes { epoch, loaded_at: Instant::now(), visible: visible.clone(), lists: HashMap::new() });
        }
        Ok(visible)
    }

    /// The subscription nodes a package opens, shared with every package of the same groups.
    async fn node_list(
        &self,
        c: &mut sqlx::PgConnection,
        epoch: u64,
        p: &helium_domain::telecom::package::Package,
    ) -> Result<Arc<[SubscriptionNode]>, DomainError> {
        let visible = self.visible_nodes(c, epoch).await?;
        let mut groups = p.group_ids.clone();
        groups.sort_unstable();
        if let Ok(kept) = self.visible.lock()
            && let Some(k) = kept.as_ref().filter(|k| Arc::ptr_eq(&k.visible, &visible))
            && let Some(list) = k.lists.get(&groups)
        {
            return Ok(list.clone());
        }
        let list = unique_names(
            visible
                .iter()
                .filter(|(client, _)| opens(client, p))
                .map(|(client, server)| {
                    let cl = &client.client;
                    SubscriptionNode {
                        name: cl.name.clone(),
                        host: server.server.address.clone(),
                        port: cl.port,
                        hop_ports: cl.hop_ports,
                        rate: cl.effective_rate(&server.server),
                        tags: cl.tags.clone(),
                        settings: cl.settings.clone(),
                    }
                })
                .collect(),
        );
        if let Ok(mut kept) = self.visible.lock()
            && let Some(k) = kept.as_mut().filter(|k| Arc::ptr_eq(&k.visible, &visible))
        {
            k.lists.insert(groups, list.clone());
        }
        Ok(list)
    }

    async fn build(&self, hash: &[u8], epoch: u64) -> Result<CachedView, DomainError> {
        let mut c = self.ctx.db.conn().await?;
        let sub = subs::by_token_hash(&mut c, hash).await?.ok_or_else(not_found)?;
        let usable = users::in_good_standing(&mut c, sub.user_id).await?;
        let active = packages::active(&mut c, sub.user_id).await?.filter(|p| p.usable(chrono::Utc::now()));
        let list = match &active {
            Some(p) => self.node_list(&mut c, epoch, p).await?,
            None => Arc::from(Vec::new()),
        };
        let user = SubscriptionUser {
            uuid: sub.uuid,
            upload: active.as_ref().map_or(0, |p| u64::try_from(p.upload).unwrap_or(0)),
            download: active.as_ref().map_or(0, |p| u64::try_from(p.download).unwrap_or(0)),
            total: active.as_ref().map_or(0, |p| u64::try_from(p.traffic_bytes).unwrap_or(0)),
            expire_at: active.as_ref().and_then(|p| p.expires_at).map(|e| e.timestamp()),
        };
        Ok(CachedView { usable, view: SubscriptionView::shared(user, list), rendered: Mutex::default() })
    }

    /// The nodes a customer may use (for `listMyNodes`): empty without an active package.
    pub async fn nodes_of(
        &self,
        user_id: Uuid,
    ) -> Result<Vec<(nodes::ClientRecord, nodes::ServerRecord)>, DomainError> {
        let epoch = self.ctx.snapshots.epoch().await;
        let mut c = self.ctx.db.conn().await?;
        let Some(p) = packages::active(&mut c, user_id).await?.filter(|p| p.usable(chrono::Utc::now())) else {
            return Ok(Vec::new());
        };
        Ok(self.visible_nodes(&mut c, epoch).await?.iter().filter(|(cl, _)| opens(cl, &p)).cloned().collect())
    }
}
