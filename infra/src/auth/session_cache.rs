//! The per-request session check of customers: verified against PostgreSQL, cached in Redis
//! by session id for a few seconds, dropped (twice) whenever a session or account changes,
//! so a revocation takes effect on the next request.

use std::time::Duration;

use redis::AsyncCommands;
use uuid::Uuid;

use super::context::AuthContext;
use super::store::sessions::{self, SessionState};
use helium_domain::DomainError;

const SESSION_CACHE_SECS: u64 = 15;

fn key(ctx: &AuthContext, session_id: Uuid) -> String {
    ctx.redis.key(&format!("sess:{session_id}"))
}

/// The state of a session: from the cache, else PostgreSQL (never "allow" without either).
pub async fn state(ctx: &AuthContext, session_id: Uuid) -> Result<Option<SessionState>, DomainError> {
    let key = key(ctx, session_id);
    let cached = tokio::time::timeout(Duration::from_millis(200), async {
        let mut conn = ctx.redis.conn().await?;
        let raw: Option<String> = conn.get(&key).await?;
        anyhow::Ok(raw)
    })
    .await;
    if let Ok(Ok(Some(raw))) = cached
        && let Ok(state) = serde_json::from_str::<SessionState>(&raw)
    {
        return Ok(Some(state));
    }
    let state = {
        let mut c = ctx.db.conn().await?;
        sessions::state(&mut c, session_id).await?
    };
    if let Some(s) = &state
        && let Ok(raw) = serde_json::to_string(s)
    {
        let _ = tokio::time::timeout(Duration::from_millis(200), async {
            let mut conn = ctx.redis.conn().await?;
            conn.set_ex::<_, _, ()>(&key, raw, SESSION_CACHE_SECS).await?;
            anyhow::Ok(())
        })
        .await;
    }
    Ok(state)
}

/// Drops cached session checks so a revocation takes effect on the next request.
pub async fn forget(ctx: &AuthContext, ids: &[Uuid]) {
    if ids.is_empty() {
        return;
    }
    drop_cached(ctx, ids).await;
    // A request that read the old state from PostgreSQL just before the revocation
    // committed may re-cache it after the first delete: delete once more shortly after.
    let again = ctx.clone();
    let ids = ids.to_vec();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop_cached(&again, &ids).await;
    });
}

async fn drop_cached(ctx: &AuthContext, ids: &[Uuid]) {
    let keys: Vec<String> = ids.iter().map(|id| key(ctx, *id)).collect();
    let result = tokio::time::timeout(Duration::from_millis(300), async {
        let mut conn = ctx.redis.conn().await?;
        conn.del::<_, ()>(keys).await?;
        anyhow::Ok(())
    })
    .await;
    if !matches!(result, Ok(Ok(()))) {
        tracing::warn!("could not drop cached session checks; they expire within 30 s");
    }
}
