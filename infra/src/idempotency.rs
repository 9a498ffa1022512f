//! Idempotency-Key storage as claims (Stripe semantics).
//!
//! The first request with a key writes a pending claim in its own short transaction, then
//! runs with no database connection held; its response completes the claim. A concurrent
//! duplicate finds the claim pending ("in progress"); a retry after completion replays the
//! stored response. A failed or abandoned execution deletes its claim so a retry runs again;
//! a claim whose holder died expires after [`CLAIM_SECS`] and is taken over.

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{Db, DbResult, ex};

/// How long a stored response is replayed (≥ 24 h required; 48 h chosen).
pub const RETENTION_HOURS: i32 = 48;
/// How long a pending claim blocks duplicates before a retry may take it over; longer than
/// any request may run (the HTTP layer times requests out well before).
pub const CLAIM_SECS: f64 = 120.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

pub enum Begin {
    /// First execution: the claim is held; run the handler, then `complete` or `abandon`.
    Proceed,
    /// Same key and same request: answer the stored response.
    Replay(StoredResponse),
    /// Same key, different request.
    Mismatch,
    /// Another execution with this key is running right now.
    InProgress,
}

/// Identifies one claim; only its holder may complete or abandon it.
#[derive(Debug, Clone)]
pub struct Pending {
    db: Db,
    principal: String,
    route: String,
    key: String,
    claim: Uuid,
}

pub fn request_hash(method: &str, route: &str, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(route.as_bytes());
    h.update([0]);
    h.update(body);
    h.finalize().to_vec()
}

struct Existing {
    request_hash: Vec<u8>,
    status: Option<i16>,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

/// A claim this request may take. Made before the claim is written so that a request cancelled
/// while the claim is being written can still release it (`abandon` only ever deletes its own).
pub fn pending(db: &Db, principal: &str, route: &str, key: &str) -> Pending {
    Pending {
        db: db.clone(),
        principal: principal.to_owned(),
        route: route.to_owned(),
        key: key.to_owned(),
        claim: Uuid::new_v4(),
    }
}

impl Pending {
    /// Claims (principal, route, key), or reports what holds it.
    pub async fn begin(&self, hash: Vec<u8>) -> DbResult<Begin> {
        // Each statement stands alone: the claim is one atomic upsert, and a record that
        // vanishes before it is read back is reported as busy below.
        let mut c = self.db.single_statement().await?;
        let claimed = try_claim(&mut c, &self.principal, &self.route, &self.key, &hash, self.claim).await?;
        let existing = if claimed { None } else { existing(&mut c, &self.principal, &self.route, &self.key).await? };
        if claimed {
            return Ok(Begin::Proceed);
        }
        Ok(match existing {
            // Purged between the two statements: someone else's claim just expired; say "busy".
            None => Begin::InProgress,
            Some(e) if e.request_hash != hash => Begin::Mismatch,
            Some(Existing { status: Some(status), content_type, body: Some(body), .. }) => {
                Begin::Replay(StoredResponse { status: status as u16, content_type, body })
            }
            Some(_) => Begin::InProgress,
        })
    }
}

/// Inserts a pending claim, or takes over an expired record or a dead holder's claim.
async fn try_claim(
    c: &mut PgConnection,
    principal: &str,
    route: &str,
    key: &str,
    hash: &[u8],
    claim: Uuid,
) -> DbResult<bool> {
    let row = sqlx::query_scalar!(
        r#"INSERT INTO idempotency_keys
               (principal, route, key, request_hash, claim, claimed_until, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), now() + make_interval(hours => $7))
           ON CONFLICT (principal, route, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, claim = EXCLUDED.claim,
               claimed_until = EXCLUDED.claimed_until, status = NULL, content_type = NULL, body = NULL,
               created_at = now(), expires_at = EXCLUDED.expires_at
           WHERE idempotency_keys.expires_at <= now()
              OR (idempotency_keys.status IS NULL AND idempotency_keys.claimed_until <= now())
           RETURNING claim AS "claim!""#,
        principal,
        route,
        key,
        hash,
        claim,
        CLAIM_SECS,
        RETENTION_HOURS
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row == Some(claim))
}

async fn existing(c: &mut PgConnection, principal: &str, route: &str, key: &str) -> DbResult<Option<Existing>> {
    Ok(sqlx::query_as!(
        Existing,
        r#"SELECT request_hash, status, content_type, body FROM idempotency_keys
           WHERE principal = $1 AND route = $2 AND key = $3"#,
        principal,
        route,
        key
    )
    .fetch_optional(ex(c))
    .await?)
}

impl Pending {
    /// Stores the first response; later requests with the key replay it.
    pub async fn complete(&self, response: &StoredResponse) -> DbResult<()> {
        let mut c = self.db.single_statement().await?;
        sqlx::query!(
            r#"UPDATE idempotency_keys SET status = $5, content_type = $6, body = $7, claimed_until = NULL
               WHERE principal = $1 AND route = $2 AND key = $3 AND claim = $4 AND status IS NULL"#,
            self.principal,
            self.route,
            self.key,
            self.claim,
            response.status as i16,
            response.content_type,
            response.body
        )
        .execute(ex(&mut c))
        .await?;
        Ok(())
    }

    /// Drops the claim (the request failed validation or the server failed): a retry runs again.
    pub async fn abandon(&self) -> DbResult<()> {
        let mut c = self.db.single_statement().await?;
        sqlx::query!(
            r#"DELETE FROM idempotency_keys
               WHERE principal = $1 AND route = $2 AND key = $3 AND claim = $4 AND status IS NULL"#,
            self.principal,
            self.route,
            self.key,
            self.claim
        )
        .execute(ex(&mut c))
        .await?;
        Ok(())
    }
}

/// Cron: deletes expired records in bounded batches; returns how many went. Pending claims
/// past their expiry go too (their holder is long dead).
pub async fn purge_expired(c: &mut PgConnection, batch: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM idempotency_keys WHERE ctid IN
           (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)"#,
        batch
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected())
}
