//! The per-node user lists and per-customer views agents and subscription apps read.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeUserRow {
    pub agent_id: i64,
    pub uuid: Uuid,
    pub speed_limit_mbps: Option<i32>,
    pub device_limit: Option<i32>,
}

/// Customers a node serves: an active, unexpired package with traffic left that opens one of
/// the node's groups (a node in no group serves every package), and an account in good standing.
pub async fn for_node(c: &mut PgConnection, node_groups: &[Uuid]) -> DbResult<Vec<NodeUserRow>> {
    Ok(sqlx::query_as!(
        NodeUserRow,
        r#"SELECT s.agent_id, s.uuid, p.speed_limit_mbps, p.device_limit
             FROM telecom.packages p
             JOIN telecom.subscriptions s ON s.user_id = p.user_id
             JOIN auth.users u ON u.id = p.user_id
            WHERE p.status = 'active' AND p.expires_at > now() AND p.upload + p.download < p.traffic_bytes
              AND u.status = 'active' AND (cardinality($1::uuid[]) = 0 OR p.group_ids && $1)
            ORDER BY s.agent_id"#,
        node_groups
    )
    .fetch_all(ex(c))
    .await?)
}

/// Whether the account may be served at all (not banned).
pub async fn in_good_standing(c: &mut PgConnection, user_id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(r#"SELECT status = 'active' AS "ok!" FROM auth.users WHERE id = $1"#, user_id)
        .fetch_optional(ex(c))
        .await?
        .unwrap_or(false))
}
