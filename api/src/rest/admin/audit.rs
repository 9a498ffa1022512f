//! The staff audit log (tag `audit`): read-only, newest first, cursor-paginated.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use helium_domain::audit::{AuditEntry, AuditFilter};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Staff;
use crate::state::AppState;

/// Filters of `adminListAuditEvents`; all optional and combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only rows by this admin or API key.
    #[param(value_type = Option<Uuid>)]
    pub actor_id: Option<String>,
    /// Only this action, e.g. `config.update`, `admin.create`.
    pub action: Option<String>,
    /// Only this kind of target, e.g. `config`, `admin`.
    pub target_type: Option<String>,
    /// Only this target (with `target_type`, one object's history).
    pub target_id: Option<String>,
    /// Rows at or after this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Rows strictly before this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub to: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page, with the same filters.
    pub cursor: Option<String>,
}

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// `admin`, `api_key`, `cli` or `system`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The admin or API key; null for the CLI and the system.
    pub id: Option<Uuid>,
    /// The role the actor acted with.
    pub role: Option<String>,
}

/// What a change was made to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditTarget {
    /// e.g. `admin`, `config`, `api_key`, `customer`.
    #[serde(rename = "type")]
    pub type_: String,
    pub id: Option<String>,
}

/// One recorded staff change. `before`/`after` hold only the changed fields, secrets masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    /// e.g. `config.update`, `admin.create`.
    pub action: String,
    pub target: AuditTarget,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl From<AuditEntry> for AuditEvent {
    fn from(r: AuditEntry) -> Self {
        Self {
            id: r.id,
            at: r.at,
            actor: AuditActor { type_: r.actor_type, id: r.actor_id, role: r.actor_role },
            action: r.action,
            target: AuditTarget { type_: r.target_type, id: r.target_id },
            before: r.before,
            after: r.after,
            reason: r.reason,
            request_id: r.request_id,
            ip: r.ip,
            user_agent: r.user_agent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `cursor` (with the same filters) for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl AuditQuery {
    fn parse(self) -> Result<(AuditFilter, Option<String>, Option<i64>), ApiError> {
        let limit = params::integer("limit", self.limit, "an integer, 1 to 100")?;
        let filter =
            params::audit_filter(self.actor_id, self.action, self.target_type, self.target_id, self.from, self.to)?;
        Ok((filter, params::present(self.cursor), limit))
    }
}

#[utoipa::path(
    get, path = "/api/v1/admin/audit", operation_id = "adminListAuditEvents", tag = "audit",
    summary = "Read the staff audit log",
    description = "Every staff write, newest first by (at, id). The log is append-only: nothing can change or \
                   delete a row. `cursor` is opaque and bound to the filters it was issued with.",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of audit events", body = AuditEventPage),
        (status = 400, description = "invalid_cursor (unknown, or issued for other filters)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (limit outside 1–100, malformed actor_id, from or to)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_audit_events(
    State(state): State<AppState>,
    Staff(_me): Staff,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditEventPage>, ApiError> {
    let (filter, cursor, limit) = q.parse()?;
    let page = state.admin.governance.audit_page(&filter, cursor.as_deref(), limit).await?;
    Ok(Json(AuditEventPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}
