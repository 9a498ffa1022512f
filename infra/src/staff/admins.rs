//! Staff account management by staff: the paged list, and changes of name, role and status.
//! Role changes and disabling serialise on the SuperAdmin advisory lock, so the system never
//! loses its last active SuperAdmin, even to two concurrent demotions.

use helium_domain::admin::Role;
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::audit::{self, Actor, Change};
use super::service::{StaffPrincipal, StaffService, checked_name, parse_role, role_of, unauthenticated};
use super::store::{self, AdminRow};
use crate::auth::service::db;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

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
        let name = patch.name.as_deref().map(checked_name).transpose()?;
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
