//! Staff API keys: creation (the key is shown once, only its SHA-256 is stored), the list and
//! revocation. A key never exceeds its creator's role and never holds a human-only permission.

use chrono::{DateTime, Utc};
use helium_domain::admin::{Permission, Role};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Actor, Change};
use super::key_store::{self, ApiKeyRow};
use super::service::{API_KEY_PREFIX, StaffPrincipal, StaffService, invalid_role, name_error};
use crate::auth::service::db;
use crate::auth::tokens;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// Characters of a key kept in clear for lists: `hel_key_` and 8 more.
pub const KEY_PREFIX_LEN: usize = 16;
const SCOPE: &str = "api_keys";

/// A key to create.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub role: String,
    /// Narrows the role; `None` gives the key every non-human-only permission of its role.
    pub permissions: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Checks the optional permission list: each known, within `role`, not human-only.
/// Every offender is named as `permissions[i]` (422).
fn checked_permissions(role: Role, raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.is_empty() {
        return Err(DomainError::validation(vec![FieldError::new(
            "permissions",
            "too_short",
            "name at least one permission, or leave the field out for the whole role",
        )]));
    }
    let mut errors = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let field = format!("permissions[{i}]");
        match Permission::parse(p) {
            None => errors.push(FieldError::new(field, "invalid_enum", format!("unknown permission `{p}`"))),
            Some(p) if p.human_only() => errors.push(FieldError::new(
                field,
                "invalid_enum",
                format!("`{}` is human-only: an API key never holds it", p.as_str()),
            )),
            Some(p) if !role.can(p) => errors.push(FieldError::new(
                field,
                "invalid_enum",
                format!("`{}` is not a permission of the role {}", p.as_str(), role.as_str()),
            )),
            Some(p) => {
                if !out.iter().any(|o| o == p.as_str()) {
                    out.push(p.as_str().to_owned());
                }
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(DomainError::validation(errors)) }
}

fn key_snapshot(k: &ApiKeyRow) -> serde_json::Value {
    json!({
        "name": k.name, "prefix": k.prefix, "role": k.role, "permissions": k.permissions,
        "expires_at": k.expires_at, "revoked_at": k.revoked_at,
    })
}

impl StaffService {
    /// Creates a key and returns it with its row; the key itself is never stored or shown again.
    pub async fn create_api_key(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        new: NewApiKey,
    ) -> Result<(ApiKeyRow, String), DomainError> {
        let mut errors = Vec::new();
        let name = new.name.trim();
        errors.extend(name_error(name));
        let role = Role::parse(&new.role);
        if role.is_none() {
            errors.push(invalid_role());
        }
        if new.expires_at.is_some_and(|e| e <= Utc::now()) {
            errors.push(FieldError::new("expires_at", "out_of_range", "must be in the future"));
        }
        let Some(role) = role.filter(|_| errors.is_empty()) else {
            return Err(DomainError::validation(errors));
        };
        if !me.role.may_grant(role) {
            return Err(DomainError::rejected(
                ErrorCode::RoleNotGrantable,
                "an API key cannot have a role above its creator's",
            ));
        }
        let permissions = new.permissions.as_deref().map(|p| checked_permissions(role, p)).transpose()?;

        let key = format!("{API_KEY_PREFIX}{}", tokens::opaque_token());
        let prefix: String = key.chars().take(KEY_PREFIX_LEN).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = key_store::insert(
            &mut tx,
            Uuid::now_v7(),
            name,
            &prefix,
            &tokens::token_hash(&key),
            role.as_str(),
            permissions.as_deref(),
            me.admin_id,
            new.expires_at,
        )
        .await
        .map_err(db)?;
        let change = Change {
            action: "api_key.create",
            target_type: "api_key",
            target_id: Some(row.id.to_string()),
            before: None,
            after: Some(key_snapshot(&row)),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok((row, key))
    }

    /// Every key (revoked and expired ones too), newest first; no secrets.
    pub async fn api_keys_page(
        &self,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<ApiKeyRow>, DomainError> {
        let limit = page_limit(limit)?;
        let after = cursor.map(|c| decode_cursor(SCOPE, c)).transpose()?;
        let rows = key_store::list_page(&self.pool, after, limit + 1).await.map_err(db)?;
        Ok(page_of(rows, limit, SCOPE, |k| (k.created_at, k.id)))
    }

    /// Revokes a key at once; revoking a revoked key changes nothing.
    pub async fn revoke_api_key(&self, actor: &Actor, id: Uuid) -> Result<ApiKeyRow, DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let current = key_store::for_update(&mut tx, id)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::rejected(ErrorCode::NotFound, "no such API key"))?;
        if current.revoked_at.is_some() {
            return Ok(current);
        }
        let row = key_store::revoke(&mut tx, id)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::rejected(ErrorCode::NotFound, "no such API key"))?;
        let change = Change {
            action: "api_key.revoke",
            target_type: "api_key",
            target_id: Some(id.to_string()),
            before: Some(json!({ "revoked_at": null })),
            after: Some(json!({ "revoked_at": row.revoked_at })),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn permission_lists_are_known_within_the_role_and_never_human_only() {
        let ok = checked_permissions(Role::Moderator, &strings(&["orders.read", "tickets.reply", "orders.read"]));
        assert_eq!(ok.ok(), Some(strings(&["orders.read", "tickets.reply"])));
        let bad =
            checked_permissions(Role::Moderator, &strings(&["orders.read", "nope", "admins.manage", "orders.refund"]));
        let Err(DomainError::Rejected { code, fields, .. }) = bad else { panic!("accepted") };
        assert_eq!(code, ErrorCode::ValidationFailed);
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["permissions[1]", "permissions[2]", "permissions[3]"]);
        assert!(checked_permissions(Role::SuperAdmin, &[]).is_err());
        for p in Permission::ALL.into_iter().filter(|p| p.human_only()) {
            assert!(checked_permissions(Role::SuperAdmin, &strings(&[p.as_str()])).is_err(), "{p:?}");
        }
    }
}
