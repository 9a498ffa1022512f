//! Governance use cases: the audit log page by page, and the module configuration documents
//! as staff see them (secrets masked). A configuration change and its audit row commit in one
//! transaction; the caches are refreshed after the commit.

use chrono::{DateTime, Utc};
use helium_domain::config::{ConfigKind, redact, restore_masked_secrets};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::audit::{self, Actor, AuditFilter, AuditRow, Change};
use super::service::StaffService;
use crate::ConfigStore;
use crate::auth::service::db;
use crate::config_store::{ConfigStoreError, StoredConfig};
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// A configuration document with every secret replaced by the mask.
#[derive(Debug, Clone)]
pub struct MaskedConfig {
    pub key: &'static str,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub value: Value,
}

/// Audit cursors are bound to a digest of the filters they were issued with.
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
    DomainError::rejected(ErrorCode::NotFound, "no such configuration document")
}

/// `auth`, `admin-jwt` (`admin_jwt`), `telecom`, `shop`, `affiliate` (`market`), `mailer`.
fn kind_of(key: &str) -> Result<ConfigKind, DomainError> {
    ConfigKind::parse(key).ok_or_else(unknown_config)
}

/// The machine code of a config validation message (the vocabulary of `errors[].code`).
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
        // Paths are relative to the document; the request carries it as `value`.
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
        ConfigStoreError::Db(e) => db(e),
    }
}

fn masked(kind: ConfigKind, c: &StoredConfig) -> MaskedConfig {
    MaskedConfig { key: kind.key(), version: c.version, updated_at: c.updated_at, value: redact(kind, &c.value) }
}

/// The top-level fields that differ, redacted, as (before, after) for the audit row.
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

impl StaffService {
    /// The audit log, newest first, keyset-paginated on (at, id); `limit` 1–100 (default 20).
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<AuditRow>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = audit_scope(filter);
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let rows = audit::list(&self.pool, filter, after, limit + 1).await.map_err(db)?;
        Ok(page_of(rows, limit, &scope, |r| (r.at, r.id)))
    }

    /// Every known configuration document (no values).
    pub async fn list_config(&self) -> Result<Vec<StoredConfig>, DomainError> {
        let all = self.config.list().await.map_err(store_error)?;
        Ok(all.into_iter().filter(|c| ConfigKind::from_key(&c.key).is_some()).collect())
    }

    /// One document as stored (no cache), secrets masked.
    pub async fn get_config(&self, key: &str) -> Result<MaskedConfig, DomainError> {
        let kind = kind_of(key)?;
        let current = self.config.load(kind).await.map_err(store_error)?.ok_or_else(unknown_config)?;
        Ok(masked(kind, &current))
    }

    /// Replaces a document. Masked secrets keep their stored value; the result must pass the
    /// service's own validation (placeholder secrets refused). With `if_match`, a document
    /// changed since that version → `precondition_failed`. The change and its `config.update`
    /// audit row commit together; every process sees it within the config store's bound.
    pub async fn put_config(
        &self,
        actor: &Actor,
        key: &str,
        mut value: Value,
        if_match: Option<i64>,
    ) -> Result<MaskedConfig, DomainError> {
        let kind = kind_of(key)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let current = ConfigStore::lock_in(&mut tx, kind).await.map_err(store_error)?.ok_or_else(unknown_config)?;
        if if_match.is_some_and(|v| v != current.version) {
            return Err(store_error(ConfigStoreError::VersionConflict { key: kind.key(), current: current.version }));
        }
        restore_masked_secrets(kind, &mut value, &current.value);
        let written = ConfigStore::write_in(&mut tx, kind, &value, Some(current.version)).await.map_err(store_error)?;
        let (before, after) = changed_fields(kind, &current.value, &written.value);
        let change = Change {
            action: "config.update",
            target_type: "config",
            target_id: Some(kind.key().to_owned()),
            before: Some(before),
            after: Some(after),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        self.config.committed(kind, &written).await;
        Ok(masked(kind, &written))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
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
        let err = decode_cursor(&audit_scope(&filter(Some("admin.create"))), &c).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidCursor);
    }

    #[test]
    fn changed_fields_keeps_only_changed_top_level_fields_redacted() {
        let old = json!({ "secret": "s3cret-value", "issuer": "a", "audience": "x" });
        let new = json!({ "secret": "other-secret", "issuer": "b", "audience": "x" });
        let (before, after) = changed_fields(ConfigKind::AdminJwt, &old, &new);
        assert_eq!(before, json!({ "secret": "********", "issuer": "a" }));
        assert_eq!(after, json!({ "secret": "********", "issuer": "b" }));
    }

    #[test]
    fn validation_paths_are_relative_to_the_request_body() {
        let e = store_error(ConfigStoreError::Invalid {
            key: "auth",
            path: "jwt.issuer".into(),
            reason: "must not be empty".into(),
        });
        let DomainError::Rejected { code, fields, .. } = e else { panic!("not rejected") };
        assert_eq!(code, ErrorCode::ValidationFailed);
        assert_eq!(fields[0].field, "value.jwt.issuer");
    }
}
