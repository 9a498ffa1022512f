//! What agents and subscription apps pull, kept ready: per-node `user` and `config` bodies
//! with their ETags, and per-customer subscription views. Everything is tagged with the
//! telecom *epoch*, a counter in Redis that every relevant change bumps (a package activated
//! or ended, a ban, a node edited, a token rotated); a snapshot of an older epoch is rebuilt
//! on its next read, never before. Between changes a pull costs a map lookup: the epoch is
//! re-read from Redis at most every [`EPOCH_RECHECK`], so every process sees a change within
//! that time. Rebuilt node bodies are also shared through Redis so that several API
//! processes rebuild each list once per epoch, not once each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::RedisHandle;

/// How long a process trusts its copy of the epoch.
pub const EPOCH_RECHECK: Duration = Duration::from_millis(500);
/// How long a customer view may show old usage figures (traffic moves without an epoch bump).
pub const VIEW_MAX_AGE: Duration = Duration::from_secs(30);
/// Bound on cached customer views (each holds a few KiB); the oldest half goes when full.
const MAX_VIEWS: usize = 50_000;

/// A rendered body and its strong ETag, as of one epoch.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub epoch: u64,
    pub body: Bytes,
    pub etag: String,
}

/// A cached customer view: the epoch it was built at, when, and the view itself.
type ViewEntry = (u64, Instant, Arc<dyn std::any::Any + Send + Sync>);

struct Epoch {
    value: u64,
    checked: Option<Instant>,
}

pub struct Snapshots {
    redis: RedisHandle,
    epoch: Mutex<Epoch>,
    bodies: RwLock<HashMap<String, Arc<Snapshot>>>,
    views: Mutex<HashMap<Vec<u8>, ViewEntry>>,
}

impl Snapshots {
    pub fn new(redis: RedisHandle) -> Self {
        Self {
            redis,
            epoch: Mutex::new(Epoch { value: 0, checked: None }),
            bodies: RwLock::default(),
            views: Mutex::default(),
        }
    }

    fn key(&self) -> String {
        self.redis.key("telecom:epoch")
    }

    /// The current epoch (this process's copy when fresh enough). Redis being down keeps the
    /// last known value: agents keep getting the last lists rather than errors.
    pub async fn epoch(&self) -> u64 {
        if let Ok(e) = self.epoch.lock()
            && e.checked.is_some_and(|t| t.elapsed() < EPOCH_RECHECK)
        {
            return e.value;
        }
        let read = async {
            let mut conn = self.redis.conn().await?;
            let v: Option<u64> = redis::cmd("GET").arg(self.key()).query_async(&mut conn).await?;
            anyhow::Ok(v.unwrap_or(0))
        };
        let fresh = crate::with_timeout(Duration::from_secs(1), "Redis", read).await;
        let Ok(mut e) = self.epoch.lock() else { return 0 };
        match fresh {
            Ok(v) => {
                e.value = v;
                e.checked = Some(Instant::now());
            }
            Err(err) => tracing::warn!(error = %err, "telecom epoch unreadable; serving the last snapshots"),
        }
        e.value
    }

    /// Something agents or apps see changed: every snapshot is stale from now on, here at
    /// once and in other processes within [`EPOCH_RECHECK`].
    pub async fn bump(&self) {
        let incr = async {
            let mut conn = self.redis.conn().await?;
            let v: u64 = redis::cmd("INCR").arg(self.key()).query_async(&mut conn).await?;
            anyhow::Ok(v)
        };
        match crate::with_timeout(Duration::from_secs(1), "Redis", incr).await {
            Ok(v) => {
                if let Ok(mut e) = self.epoch.lock() {
                    e.value = v;
                    e.checked = Some(Instant::now());
                }
            }
            Err(err) => {
                // Without Redis the local copy still moves on, and the rest re-check soon.
                tracing::error!(error = %err, "telecom epoch not bumped in Redis");
                if let Ok(mut e) = self.epoch.lock() {
                    e.value += 1;
                    e.checked = None;
                }
            }
        }
        if let Ok(mut views) = self.views.lock() {
            views.clear();
        }
    }

    /// A node body of this epoch, from this process or from Redis.
    pub async fn body(&self, name: &str, epoch: u64) -> Option<Arc<Snapshot>> {
        if let Ok(map) = self.bodies.read()
            && let Some(s) = map.get(name).filter(|s| s.epoch == epoch)
        {
            return Some(s.clone());
        }
        let shared = async {
            let mut conn = self.redis.conn().await?;
            let v: Option<Vec<u8>> = redis::cmd("GET")
                .arg(self.redis.key(&format!("telecom:body:{name}:{epoch}")))
                .query_async(&mut conn)
                .await?;
            anyhow::Ok(v)
        };
        let body = crate::with_timeout(Duration::from_millis(500), "Redis", shared).await.ok().flatten()?;
        Some(self.keep(name, epoch, Bytes::from(body)))
    }

    /// Keeps a freshly built body (and shares it for ten minutes).
    pub async fn store(&self, name: &str, epoch: u64, body: Vec<u8>) -> Arc<Snapshot> {
        let share = async {
            let mut conn = self.redis.conn().await?;
            redis::cmd("SET")
                .arg(self.redis.key(&format!("telecom:body:{name}:{epoch}")))
                .arg(&body)
                .arg("EX")
                .arg(600)
                .query_async::<()>(&mut conn)
                .await?;
            anyhow::Ok(())
        };
        if let Err(e) = crate::with_timeout(Duration::from_millis(500), "Redis", share).await {
            tracing::warn!(error = %e, "telecom snapshot not shared");
        }
        self.keep(name, epoch, Bytes::from(body))
    }

    fn keep(&self, name: &str, epoch: u64, body: Bytes) -> Arc<Snapshot> {
        let etag = helium_domain::telecom::node_api::etag(&body);
        let snap = Arc::new(Snapshot { epoch, body, etag });
        if let Ok(mut map) = self.bodies.write() {
            map.insert(name.to_owned(), snap.clone());
        }
        snap
    }

    /// A cached customer view of this epoch, younger than [`VIEW_MAX_AGE`].
    pub fn view<T: Send + Sync + 'static>(&self, key: &[u8], epoch: u64) -> Option<Arc<T>> {
        let views = self.views.lock().ok()?;
        let (e, at, v) = views.get(key)?;
        if *e != epoch || at.elapsed() > VIEW_MAX_AGE {
            return None;
        }
        v.clone().downcast::<T>().ok()
    }

    pub fn keep_view<T: Send + Sync + 'static>(&self, key: &[u8], epoch: u64, view: Arc<T>) {
        if let Ok(mut views) = self.views.lock() {
            if views.len() >= MAX_VIEWS {
                let mut ages: Vec<Instant> = views.values().map(|(_, at, _)| *at).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                views.retain(|_, (_, at, _)| *at > cut);
            }
            views.insert(key.to_vec(), (epoch, Instant::now(), view));
        }
    }
}
