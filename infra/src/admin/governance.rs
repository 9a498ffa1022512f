//! Governance reads and the module config API: the audit log (filters bound to cursors, the
//! chain check) and configuration documents (secrets masked, `If-Match`, a masked secret never
//! follows a changed destination, every change audited in its transaction).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use helium_domain::audit::{Actor, AuditAction, AuditEntry, AuditFilter, Change};
use helium_domain::config::{ConfigKind, masked_secrets_rebound, redact, restore_masked_secrets};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::context::AdminContext;
use crate::ConfigStore;
use crate::audit::{self, ChainCheck};
use crate::config_store::{ConfigStoreError, StoredConfig};
use crate::paging::{Page, decode_cursor, page_limit, page_of};

#[derive(Debug, Clone)]
pub struct MaskedConfig {
    pub key: &'static str,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub value: Value,
}

fn audit_scope(f: &AuditFilter) -> String {
    let canonical = json!([
        f.actor_id,
        f.action,
        f.target_type,
        f.target_id,
        f.from.map(|t| t.timestamp_micros()),
        f.to.map(|t| t.timestamp_micros()),
    ]);
    format!("audit|{}", hex::encode(&Sha256::digest(canonical.to_string().as_bytes())[..8]))
}

fn unknown_config() -> DomainError {
    DomainError::not_found("no such configuration document")
}

fn kind_of(key: &str) -> Result<ConfigKind, DomainError> {
    ConfigKind::parse(key).ok_or_else(unknown_config)
}

fn field_code(reason: &str) -> &'static str {
    if reason.starts_with("missing field") {
        "required"
    } else if reason.starts_with("unknown field") {
        "unknown_field"
    } else if reason.starts_with("invalid type") {
        "invalid_type"
    } else if reason.starts_with("unknown variant") {
        "invalid_enum"
    } else {
        "invalid_format"
    }
}

fn store_error(e: ConfigStoreError) -> DomainError {
    match e {
        ConfigStoreError::Missing(_) => unknown_config(),
        ConfigStoreError::Invalid { path, reason, .. } => {
            let field = match path.as_str() {
                "" | "." => "value".to_owned(),
                p if p.starts_with('[') => format!("value{p}"),
                p => format!("value.{p}"),
            };
            DomainError::validation(vec![FieldError::new(field, field_code(&reason), reason)])
        }
        ConfigStoreError::VersionConflict { current, .. } => DomainError::rejected(
            ErrorCode::PreconditionFailed,
            format!("the document changed meanwhile (current version {current}); reload it"),
        ),
        ConfigStoreError::Db(e) => e.into(),
    }
}

fn masked(kind: ConfigKind, c: &StoredConfig) -> MaskedConfig {
    MaskedConfig { key: kind.key(), version: c.version, updated_at: c.updated_at, value: redact(kind, &c.value) }
}

fn changed_fields(kind: ConfigKind, old: &Value, new: &Value) -> (Value, Value) {
    let (old_r, new_r) = (redact(kind, old), redact(kind, new));
    let (Some(old_map), Some(new_map)) = (old.as_object(), new.as_object()) else {
        return (old_r, new_r);
    };
    let mut before = Map::new();
    let mut after = Map::new();
    let keys = old_map.keys().chain(new_map.keys().filter(|k| !old_map.contains_key(*k)));
    for k in keys {
        if old_map.get(k) != new_map.get(k) {
            before.insert(k.clone(), old_r.get(k).cloned().unwrap_or(Value::Null));
            after.insert(k.clone(), new_r.get(k).cloned().unwrap_or(Value::Null));
        }
    }
    (Value::Object(before), Value::Object(after))
}

#[derive(Clone)]
pub struct Governance(pub(crate) Arc<AdminContext>);

impl Governance {
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<AuditEntry>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = audit_scope(filter);
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = audit::list(&mut c, filter, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |r| (r.at, r.id)))
    }

    /// Recomputes the audit chain; a break is logged, counted and reported.
    pub async fn verify_audit_chain(&self) -> Result<ChainCheck, DomainError> {
        audit::check_chain(&self.0.db, &self.0.keys).await
    }

    pub async fn list_config(&self) -> Result<Vec<StoredConfig>, DomainError> {
        let all = self.0.config.list().await.map_err(store_error)?;
        Ok(all.into_iter().filter(|c| ConfigKind::from_key(&c.key).is_some()).collect())
    }

    pub async fn get_config(&self, key: &str) -> Result<MaskedConfig, DomainError> {
        let kind = kind_of(key)?;
        let current = self.0.config.load(kind).await.map_err(store_error)?.ok_or_else(unknown_config)?;
        Ok(masked(kind, &current))
    }

    pub async fn put_config(
        &self,
        actor: &Actor,
        key: &str,
        value: Value,
        if_match: Option<i64>,
    ) -> Result<MaskedConfig, DomainError> {
        let kind = kind_of(key)?;
        let ctx = &self.0;
        let written = crate::transaction!(ctx.db, |tx| {
            let mut value = value.clone();
            let current = ConfigStore::lock_in(tx, kind).await.map_err(store_error)?.ok_or_else(unknown_config)?;
            if if_match.is_some_and(|v| v != current.version) {
                return Err(store_error(ConfigStoreError::VersionConflict {
                    key: kind.key(),
                    current: current.version,
                }));
            }
            let rebound = masked_secrets_rebound(kind, &value, &current.value);
            if !rebound.is_empty() {
                return Err(DomainError::validation(rebound));
            }
            restore_masked_secrets(kind, &mut value, &current.value);
            let written = ConfigStore::write_in(tx, kind, &value, Some(current.version)).await.map_err(store_error)?;
            let (before, after) = changed_fields(kind, &current.value, &written.value);
            let change = Change::new(AuditAction::ConfigUpdate, "config", kind.key()).before(before).after(after);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(written)
        })?;
        ctx.config.committed(kind, &written).await;
        Ok(masked(kind, &written))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn filter(action: Option<&str>) -> AuditFilter {
        AuditFilter { action: action.map(str::to_owned), ..AuditFilter::default() }
    }

    #[test]
    fn audit_cursors_are_bound_to_their_filters() {
        let at = Utc::now();
        let id = Uuid::now_v7();
        let c = crate::paging::encode_cursor(&audit_scope(&filter(Some("config.update"))), at, id);
        assert!(decode_cursor(&audit_scope(&filter(Some("config.update"))), &c).is_ok());
        let err = decode_cursor(&audit_scope(&filter(Some("admin.create"))), &c).err().map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::InvalidCursor));
    }

    #[test]
    fn changed_fields_keeps_only_changed_top_level_fields_redacted() {
        let old = json!({ "secret": "s3cret-value", "issuer": "a", "audience": "x" });
        let new = json!({ "secret": "other-secret", "issuer": "b", "audience": "x" });
        let (before, after) = changed_fields(ConfigKind::AdminJwt, &old, &new);
        assert_eq!(before, json!({ "secret": "********", "issuer": "a" }));
        assert_eq!(after, json!({ "secret": "********", "issuer": "b" }));
    }
}
