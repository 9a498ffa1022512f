//! Staff account management by staff: the paged list, and changes of name, role and status.
//! Role changes and disabling serialise on the SuperAdmin advisory lock, so the system never
//! loses its last active SuperAdmin, even to two concurrent demotions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use helium_domain::admin::Role;
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::audit::{self, Actor, Change};
use super::service::{StaffPrincipal, StaffService, role_of, unauthenticated};
use super::store::{self, AdminRow};
use crate::auth::service::db;

pub const DEFAULT_PAGE_LIMIT: i64 = 20;
pub const MAX_PAGE_LIMIT: i64 = 100;

/// `limit` of a list: 1–100, 20 when absent (API.md §1).
pub fn page_limit(limit: Option<i64>) -> Result<i64, DomainError> {
    match limit {
        None => Ok(DEFAULT_PAGE_LIMIT),
        Some(n) if (1..=MAX_PAGE_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(DomainError::validation(vec![FieldError::new("limit", "out_of_range", "1 to 100")])),
    }
}

/// An opaque keyset cursor: the `(created_at, id)` of a page's last row, bound to `scope`
/// (the list and its filters).
pub fn encode_cursor(scope: &str, at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}|{}|{id}", at.timestamp_micros()))
}

/// Reads a cursor of `encode_cursor`; a foreign one, or one of other filters, is 400 invalid_cursor.
pub fn decode_cursor(scope: &str, raw: &str) -> Result<(DateTime<Utc>, Uuid), DomainError> {
    let invalid = || DomainError::rejected(ErrorCode::InvalidCursor, "this cursor is unknown or its filters changed");
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.rsplitn(3, '|');
    let (Some(id), Some(micros), Some(bound)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if bound != scope {
        return Err(invalid());
    }
    let at = micros.parse::<i64>().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(invalid)?;
    let id = id.parse::<Uuid>().map_err(|_| invalid())?;
    Ok((at, id))
}

/// One page of a list and the cursor of the next (none at the end).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Cuts the `limit + 1` rows fetched to `limit` and makes the next cursor from the last one kept.
pub fn page_of<T>(mut rows: Vec<T>, limit: i64, scope: &str, key: impl Fn(&T) -> (DateTime<Utc>, Uuid)) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let (at, id) = key(r);
            encode_cursor(scope, at, id)
        })
    } else {
        None
    };
    Page { items: rows, next_cursor }
}

/// What `update_admin` may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AdminPatch {
    pub name: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

fn not_found() -> DomainError {
    DomainError::rejected(ErrorCode::NotFound, "no such admin")
}

fn not_grantable(detail: &str) -> DomainError {
    DomainError::rejected(ErrorCode::RoleNotGrantable, detail)
}

fn parse_role(raw: &str) -> Result<Role, DomainError> {
    Role::parse(raw).ok_or_else(|| {
        DomainError::validation(vec![FieldError::new(
            "role",
            "invalid_enum",
            "Invalid admin role: use super_admin, moderator, customer_support or support_bot",
        )])
    })
}

fn parse_status(raw: &str) -> Result<&'static str, DomainError> {
    match raw {
        "active" => Ok("active"),
        "disabled" => Ok("disabled"),
        _ => Err(DomainError::validation(vec![FieldError::new("status", "invalid_enum", "use active or disabled")])),
    }
}

impl StaffService {
    /// Staff accounts, newest first, optionally of one role and status.
    pub async fn admins_page(
        &self,
        role: Option<&str>,
        status: Option<&str>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<AdminRow>, DomainError> {
        let role = role.map(parse_role).transpose()?.map(Role::as_str);
        let status = status.map(parse_status).transpose()?;
        let limit = page_limit(limit)?;
        let scope = format!("admins:{}:{}", role.unwrap_or(""), status.unwrap_or(""));
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let rows = store::list_admins_page(&self.pool, role, status, after, limit + 1).await.map_err(db)?;
        Ok(page_of(rows, limit, &scope, |a| (a.created_at, a.id)))
    }

    /// Renames, changes the role of, disables or re-enables an account. Nobody grants a role
    /// above their own or changes their own; a role change or disable ends every session of
    /// the account at once; the last active SuperAdmin can be neither demoted nor disabled.
    pub async fn update_admin(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        id: Uuid,
        patch: AdminPatch,
    ) -> Result<AdminRow, DomainError> {
        let name = match patch.name.as_deref().map(str::trim) {
            Some(n) if n.is_empty() || n.chars().count() > 100 => {
                return Err(DomainError::validation(vec![FieldError::new(
                    "name",
                    "invalid_format",
                    "1 to 100 characters",
                )]));
            }
            other => other.map(str::to_owned),
        };
        let new_role = patch.role.as_deref().map(parse_role).transpose()?;

        let mut tx = self.pool.begin().await.map_err(db)?;
        let supers = store::lock_and_count_super_admins(&mut tx).await.map_err(db)?;
        let before = store::admin_for_update(&mut tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        let old_role = role_of(&before)?;
        let role = new_role.unwrap_or(old_role);
        let status = match patch.disabled {
            Some(true) => "disabled",
            Some(false) => "active",
            None => before.status.as_str(),
        };
        let role_changed = role != old_role;
        if role_changed {
            if me.admin_id == Some(id) {
                return Err(not_grantable("you cannot change your own role"));
            }
            if !me.role.may_grant(role) || !me.role.may_grant(old_role) {
                return Err(not_grantable("you cannot grant or take away a role above your own"));
            }
        }
        let was_super = old_role == Role::SuperAdmin && before.status == "active";
        let stays_super = role == Role::SuperAdmin && status == "active";
        if was_super && !stays_super && supers <= 1 {
            return Err(DomainError::rejected(ErrorCode::LastSuperAdmin, "this is the last active SuperAdmin"));
        }
        // The acting account itself may have been demoted or disabled while this request waited.
        if me.api_key_id.is_none()
            && let Some(actor_id) = me.admin_id
        {
            let current = store::admin_by_id(&mut *tx, actor_id).await.map_err(db)?;
            if !current.is_some_and(|a| a.status == "active" && Role::parse(&a.role) == Some(me.role)) {
                return Err(unauthenticated());
            }
        }

        let mut old = Map::new();
        let mut new = Map::new();
        let name = name.unwrap_or_else(|| before.name.clone());
        if name != before.name {
            old.insert("name".into(), json!(before.name));
            new.insert("name".into(), json!(name));
        }
        if role_changed {
            old.insert("role".into(), json!(old_role.as_str()));
            new.insert("role".into(), json!(role.as_str()));
        }
        if status != before.status {
            old.insert("status".into(), json!(before.status));
            new.insert("status".into(), json!(status));
        }
        if new.is_empty() {
            tx.commit().await.map_err(db)?;
            return Ok(before);
        }
        let revoke = role_changed || (status == "disabled" && before.status != "disabled");
        store::update_admin(&mut tx, id, &name, before.avatar_url.as_deref(), role.as_str(), status, revoke)
            .await
            .map_err(db)?;
        let change = Change {
            action: "admin.update",
            target_type: "admin",
            target_id: Some(id.to_string()),
            before: Some(Value::Object(old)),
            after: Some(Value::Object(new)),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        let after = store::admin_for_update(&mut tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        tx.commit().await.map_err(db)?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_bound_to_their_filters() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap_or_default();
        let id = Uuid::now_v7();
        let c = encode_cursor("admins:moderator:", at, id);
        assert_eq!(decode_cursor("admins:moderator:", &c).ok(), Some((at, id)));
        for (scope, raw) in [("admins::", c.as_str()), ("admins:moderator:", "not a cursor"), ("x", "")] {
            let err = decode_cursor(scope, raw).err().map(|e| e.code());
            assert_eq!(err, Some(ErrorCode::InvalidCursor), "{scope} {raw}");
        }
    }

    #[test]
    fn limits_are_one_to_a_hundred() {
        assert_eq!(page_limit(None).ok(), Some(20));
        assert_eq!(page_limit(Some(100)).ok(), Some(100));
        for bad in [0, -1, 101] {
            assert_eq!(page_limit(Some(bad)).err().map(|e| e.code()), Some(ErrorCode::ValidationFailed));
        }
    }
}
