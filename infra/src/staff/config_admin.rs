//! Governance use cases: the audit log page by page, and the module configuration documents
//! as staff see them (secrets masked). A configuration change and its audit row commit in one
//! transaction; the caches are refreshed after the commit.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use helium_domain::config::{ConfigKind, redact, restore_masked_secrets};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::audit::{self, Actor, AuditFilter, AuditRow, Change};
use super::service::StaffService;
use crate::ConfigStore;
use crate::auth::service::db;
use crate::config_store::{ConfigStoreError, StoredConfig};

pub const DEFAULT_PAGE: i64 = 20;
pub const MAX_PAGE: i64 = 100;

/// One page of audit rows, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    /// Opaque; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A configuration document with every secret replaced by the mask.
#[derive(Debug, Clone)]
pub struct MaskedConfig {
    pub key: &'static str,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub value: Value,
}

/// A cursor is `at` (µs) + `id` of the last row shown + the first 8 bytes of a hash of the
/// filters, base64url: opaque, and refused with other filters.
const CURSOR_LEN: usize = 8 + 16 + 8;

fn filter_hash(f: &AuditFilter) -> [u8; 8] {
    let canonical = json!([
        "audit",
        f.actor_id,
        f.action,
        f.target_type,
        f.target_id,
        f.from.map(|t| t.timestamp_micros()),
        f.to.map(|t| t.timestamp_micros()),
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

fn encode_cursor(f: &AuditFilter, at: DateTime<Utc>, id: Uuid) -> String {
    let mut raw = Vec::with_capacity(CURSOR_LEN);
    raw.extend_from_slice(&at.timestamp_micros().to_be_bytes());
    raw.extend_from_slice(id.as_bytes());
    raw.extend_from_slice(&filter_hash(f));
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(f: &AuditFilter, cursor: &str) -> Result<(DateTime<Utc>, Uuid), DomainError> {
    let invalid =
        || DomainError::rejected(ErrorCode::InvalidCursor, "this cursor is unknown or belongs to other filters");
    let raw = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| invalid())?;
    if raw.len() != CURSOR_LEN || raw[24..] != filter_hash(f) {
        return Err(invalid());
    }
    let micros = i64::from_be_bytes(raw[..8].try_into().map_err(|_| invalid())?);
    let at = DateTime::from_timestamp_micros(micros).ok_or_else(invalid)?;
    let id = Uuid::from_slice(&raw[8..24]).map_err(|_| invalid())?;
    Ok((at, id))
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
    /// The audit log, newest first, keyset-paginated on (at, id); `limit` 1–100.
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<AuditPage, DomainError> {
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(DomainError::validation(vec![FieldError::new("limit", "out_of_range", "1 to 100")]));
        }
        let after = cursor.map(|c| decode_cursor(filter, c)).transpose()?;
        let mut items = audit::list(&self.pool, filter, after, limit + 1).await.map_err(db)?;
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        let next_cursor = match items.last() {
            Some(last) if more => Some(encode_cursor(filter, last.at, last.id)),
            _ => None,
        };
        Ok(AuditPage { items, next_cursor })
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

    fn filter(action: Option<&str>) -> AuditFilter {
        AuditFilter { action: action.map(str::to_owned), ..AuditFilter::default() }
    }

    #[test]
    fn cursor_round_trips_and_is_bound_to_filters() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        let id = Uuid::now_v7();
        let c = encode_cursor(&filter(Some("config.update")), at, id);
        assert_eq!(decode_cursor(&filter(Some("config.update")), &c).unwrap(), (at, id));
        for other in [filter(None), filter(Some("admin.create"))] {
            assert_eq!(decode_cursor(&other, &c).unwrap_err().code(), ErrorCode::InvalidCursor);
        }
        for junk in ["", "abc", "!!!!", &c[..c.len() - 2]] {
            assert_eq!(
                decode_cursor(&filter(Some("config.update")), junk).unwrap_err().code(),
                ErrorCode::InvalidCursor
            );
        }
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
