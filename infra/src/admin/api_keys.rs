//! Staff API keys: creation (the key is shown once, only its SHA-256 is stored), the list and
//! revocation. A key never exceeds its creator's role and never holds a human-only permission.

use std::sync::Arc;

use helium_domain::admin::commands::NewApiKey;
use helium_domain::admin::{ApiKey, StaffPrincipal};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::auth::API_KEY_PREFIX;
use super::context::AdminContext;
use super::store::keys;
use crate::audit;
use crate::identity::tokens;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// Characters of a key kept in clear for lists: `hel_key_` and 8 more.
pub const KEY_PREFIX_LEN: usize = 16;
const SCOPE: &str = "api_keys";

fn key_snapshot(k: &ApiKey) -> serde_json::Value {
    json!({
        "name": k.name, "prefix": k.prefix, "role": k.role.as_str(), "permissions": k.permissions,
        "expires_at": k.expires_at, "revoked_at": k.revoked_at,
    })
}

#[derive(Clone)]
pub struct ApiKeys(pub(crate) Arc<AdminContext>);

impl ApiKeys {
    /// Creates a key and returns it with its row; the key itself is never stored or shown again.
    pub async fn create(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        new: &NewApiKey,
    ) -> Result<(ApiKey, String), DomainError> {
        if !me.role.may_grant(new.role) {
            return Err(DomainError::rejected(
                ErrorCode::RoleNotGrantable,
                "an API key cannot have a role above its creator's",
            ));
        }
        let ctx = &self.0;
        let permissions: Option<Vec<String>> =
            new.permissions.as_ref().map(|list| list.iter().map(|p| p.as_str().to_owned()).collect());
        let key = format!("{API_KEY_PREFIX}{}", tokens::opaque_token());
        let prefix: String = key.chars().take(KEY_PREFIX_LEN).collect();
        let row = crate::transaction!(ctx.db, |tx| {
            let row = keys::insert(
                tx,
                Uuid::now_v7(),
                &new.name,
                &prefix,
                &tokens::token_hash(&key),
                new.role,
                permissions.as_deref(),
                me.admin_id,
                new.expires_at,
            )
            .await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::ApiKeyCreate, "api_key", row.id).after(key_snapshot(&row)),
            )
            .await?;
            Ok(row)
        })?;
        Ok((row, key))
    }

    /// Every key (revoked and expired ones too), newest first; no secrets.
    pub async fn page(&self, limit: Option<i64>, cursor: Option<&str>) -> Result<Page<ApiKey>, DomainError> {
        let limit = page_limit(limit)?;
        let after = cursor.map(|c| decode_cursor(SCOPE, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = keys::page(&mut c, after, limit + 1).await?;
        Ok(page_of(rows, limit, SCOPE, |k| (k.created_at, k.id)))
    }

    /// Revokes a key at once; revoking a revoked key changes nothing.
    pub async fn revoke(&self, actor: &Actor, id: Uuid) -> Result<ApiKey, DomainError> {
        let ctx = &self.0;
        let missing = || DomainError::not_found("no such API key");
        crate::transaction!(ctx.db, |tx| {
            let current = keys::for_update(tx, id).await?.ok_or_else(missing)?;
            if current.revoked_at.is_some() {
                return Ok(current);
            }
            let row = keys::revoke(tx, id).await?.ok_or_else(missing)?;
            let change = Change::new(AuditAction::ApiKeyRevoke, "api_key", id)
                .before(json!({ "revoked_at": null }))
                .after(json!({ "revoked_at": row.revoked_at }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(row)
        })
    }
}
