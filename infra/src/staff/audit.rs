//! The append-only staff audit log. Every staff write calls `append` inside the transaction
//! of the change it records, so a change without its audit row cannot commit.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Who did it, from where. `request_id`, `ip` and `user_agent` are absent for the CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `admin`, `api_key`, `cli` or `system`.
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub role: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    pub fn cli() -> Self {
        Self { kind: "cli", id: None, role: None, request_id: None, ip: None, user_agent: None }
    }
}

/// One change: `before`/`after` hold only the changed fields, secrets already redacted.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
}

pub async fn append(tx: &mut PgConnection, actor: &Actor, change: Change<'_>) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO staff.audit_log
             (id, actor_type, actor_id, actor_role, action, target_type, target_id, before, after, reason,
              request_id, ip, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"#,
        id,
        actor.kind,
        actor.id,
        actor.role,
        change.action,
        change.target_type,
        change.target_id,
        change.before,
        change.after,
        change.reason,
        actor.request_id,
        actor.ip,
        actor.user_agent
    )
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Newest first; `after` is the (at, id) of the last row of the previous page.
pub async fn list(
    pool: &PgPool,
    f: &AuditFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    sqlx::query_as!(
        AuditRow,
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
    .fetch_all(pool)
    .await
}
