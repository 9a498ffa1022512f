//! The append-only staff audit log. Every staff write calls [`append`] inside the transaction
//! of the change it records, so a change without its audit row cannot commit. Rows form a
//! keyed hash chain (see the `audit_chain` migration): [`verify`] finds the first row that was
//! edited, removed or forged, even by someone who could switch the table's triggers off.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use helium_domain::DomainError;
use helium_domain::audit::{Actor, AuditAction, AuditEntry, AuditFilter, Change};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};
use crate::identity::keyring::DataKey;

/// Appends one entry at the end of the chain (serialised by a transaction-scoped lock, so
/// the chain follows commit order).
pub async fn append(
    c: &mut PgConnection,
    key: &DataKey,
    actor: &Actor,
    change: Change<'_>,
) -> Result<Uuid, DomainError> {
    let chain_key = key.derived(c, "helium audit chain v1").await?;
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('staff.audit_chain'))").execute(ex(c)).await.map_err(db)?;
    let last = sqlx::query!(
        r#"SELECT seq AS "seq!", hash AS "hash!" FROM staff.audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"#
    )
    .fetch_optional(ex(c))
    .await
    .map_err(db)?;
    let (seq, prev) = last.map_or((1, Vec::new()), |r| (r.seq + 1, r.hash));
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        at: Utc::now().duration_trunc(TimeDelta::microseconds(1)).unwrap_or_else(|_| Utc::now()),
        actor_type: actor.kind.as_str().to_owned(),
        actor_id: actor.id,
        actor_role: actor.role.clone(),
        action: change.action.as_str().to_owned(),
        target_type: change.target_type.to_owned(),
        target_id: change.target_id,
        before: change.before,
        after: change.after,
        reason: change.reason.map(str::to_owned),
        request_id: actor.request_id.clone(),
        ip: actor.client.ip.clone(),
        user_agent: actor.client.device.clone(),
    };
    let hash = chain_hash(&chain_key, &prev, seq, &entry);
    sqlx::query!(
        r#"INSERT INTO staff.audit_log
             (id, at, actor_type, actor_id, actor_role, action, target_type, target_id, before, after, reason,
              request_id, ip, user_agent, seq, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"#,
        entry.id,
        entry.at,
        entry.actor_type,
        entry.actor_id,
        entry.actor_role,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.before,
        entry.after,
        entry.reason,
        entry.request_id,
        entry.ip,
        entry.user_agent,
        seq,
        hash
    )
    .execute(ex(c))
    .await
    .map_err(db)?;
    Ok(entry.id)
}

fn db(e: sqlx::Error) -> DomainError {
    crate::db::DbError::from(e).into()
}

/// HMAC-SHA256(key, prev_hash ‖ seq ‖ canonical JSON of the entry).
fn chain_hash(key: &[u8; 32], prev: &[u8], seq: i64, e: &AuditEntry) -> Vec<u8> {
    let fields = json!([
        e.id,
        e.at.timestamp_micros(),
        e.actor_type,
        e.actor_id,
        e.actor_role,
        e.action,
        e.target_type,
        e.target_id,
        e.before,
        e.after,
        e.reason,
        e.request_id,
        e.ip,
        e.user_agent,
    ]);
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return Vec::new() };
    mac.update(prev);
    mac.update(&seq.to_be_bytes());
    mac.update(canonical(&fields).as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// JSON with object keys sorted at every level: JSONB reorders keys, so the hash must not
/// depend on their order.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k.as_str()])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The outcome of a chain check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every chained row verifies; `rows` were checked.
    Intact { rows: u64 },
    /// The first row that does not verify (or the row after a gap in the sequence).
    Broken { id: Uuid, seq: i64 },
}

/// Verifies the chain (CLI, cron, staff API): the result goes to the log and to the
/// `helium_audit_chain_broken` gauge (1 = broken) that an alert watches.
pub async fn check_chain(db: &crate::db::Db, key: &DataKey) -> Result<ChainCheck, DomainError> {
    key.load(db).await?;
    let mut c = db.conn().await?;
    let check = verify(&mut c, key).await?;
    match &check {
        ChainCheck::Intact { rows } => {
            metrics::gauge!("helium_audit_chain_broken").set(0.0);
            tracing::info!(rows, "audit chain verified");
        }
        ChainCheck::Broken { id, seq } => {
            metrics::gauge!("helium_audit_chain_broken").set(1.0);
            tracing::error!(%id, seq, action = AuditAction::AuditChainBroken.as_str(), "audit chain broken: a row was edited, removed or forged");
        }
    }
    Ok(check)
}

/// Recomputes the whole chain in `seq` order, a page at a time.
pub async fn verify(c: &mut PgConnection, key: &DataKey) -> Result<ChainCheck, DomainError> {
    let chain_key = key.derived(c, "helium audit chain v1").await?;
    let (mut prev, mut expected_seq, mut rows) = (Vec::new(), None::<i64>, 0u64);
    loop {
        let after = expected_seq.map_or(0, |s| s - 1);
        let page = sqlx::query!(
            r#"SELECT id, at, actor_type, actor_id, actor_role, action, target_type, target_id, before, after, reason,
                      request_id, ip, user_agent, seq AS "seq!", hash
                 FROM staff.audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000"#,
            after
        )
        .fetch_all(ex(c))
        .await
        .map_err(db)?;
        if page.is_empty() {
            return Ok(ChainCheck::Intact { rows });
        }
        for r in page {
            let entry = AuditEntry {
                id: r.id,
                at: r.at,
                actor_type: r.actor_type,
                actor_id: r.actor_id,
                actor_role: r.actor_role,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                before: r.before,
                after: r.after,
                reason: r.reason,
                request_id: r.request_id,
                ip: r.ip,
                user_agent: r.user_agent,
            };
            let in_order = expected_seq.is_none_or(|s| s == r.seq);
            let hash = chain_hash(&chain_key, &prev, r.seq, &entry);
            if !in_order || r.hash.as_deref() != Some(hash.as_slice()) {
                return Ok(ChainCheck::Broken { id: r.id, seq: r.seq });
            }
            prev = hash;
            expected_seq = Some(r.seq + 1);
            rows += 1;
        }
    }
}

/// Newest first; `after` is the (at, id) of the last row of the previous page.
pub async fn list(
    c: &mut PgConnection,
    f: &AuditFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<AuditEntry>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        AuditEntry,
        r#"SELECT id, at, actor_type, actor_id, actor_role, action, target_type, target_id, before, after, reason,
                  request_id, ip, user_agent
             FROM staff.audit_log
            WHERE ($1::uuid IS NULL OR actor_id = $1)
              AND ($2::text IS NULL OR action = $2)
              AND ($3::text IS NULL OR target_type = $3)
              AND ($4::text IS NULL OR target_id = $4)
              AND ($5::timestamptz IS NULL OR at >= $5)
              AND ($6::timestamptz IS NULL OR at < $6)
              AND ($7::timestamptz IS NULL OR (at, id) < ($7, $8::uuid))
            ORDER BY at DESC, id DESC
            LIMIT $9"#,
        f.actor_id,
        f.action,
        f.target_type,
        f.target_id,
        f.from,
        f.to,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a = json!({"b": 1, "a": {"d": [1, {"z": 0, "y": 1}], "c": null}});
        assert_eq!(canonical(&a), r#"{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}"#);
    }
}
