//! Staff accounts: creation with a setup link (CLI), the list, changes of name, role and
//! status, deletion. Role changes, disabling and deletion serialise on the SuperAdmin advisory
//! lock, so the system never loses its last active SuperAdmin; they end the account's
//! sessions and revoke the API keys it made that would now act above it — all in the change's
//! transaction, with an audit row each.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::admin::commands::{AdminPatch, NewAdmin};
use helium_domain::admin::{Admin, AdminStatus, Role, StaffPrincipal};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::auth::commands::TokenPassword;
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{AdminContext, admin_snapshot, not_found, unauthenticated};
use super::store::{admins, keys, sessions};
use crate::audit;
use crate::auth::registration::check_password;
use crate::identity::{password, tokens};
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// Lifetime of the setup link `helium-cli admin create` prints.
pub const SETUP_LINK_SECS: i64 = 24 * 3600;

fn not_grantable(detail: &str) -> DomainError {
    DomainError::rejected(ErrorCode::RoleNotGrantable, detail)
}

fn last_super_admin() -> DomainError {
    DomainError::rejected(ErrorCode::LastSuperAdmin, "this is the last active SuperAdmin")
}

/// Revokes the live keys `creator` made that `ceiling` no longer covers (all with `None`) and
/// audits each, in the caller's transaction.
pub(crate) async fn revoke_creator_keys(
    ctx: &AdminContext,
    c: &mut PgConnection,
    actor: &Actor,
    creator: Uuid,
    ceiling: Option<Role>,
    why: &str,
) -> Result<(), DomainError> {
    for key in keys::revoke_by_creator(c, creator, ceiling).await? {
        let change = Change::new(AuditAction::ApiKeyRevoke, "api_key", key.id)
            .before(json!({ "revoked_at": null }))
            .after(json!({ "revoked_at": key.revoked_at }))
            .reason(why);
        audit::append(c, &ctx.keys, actor, change).await?;
    }
    Ok(())
}

#[derive(Clone)]
pub struct Admins(pub(crate) Arc<AdminContext>);

impl Admins {
    /// Creates an account without a password and returns it with a single-use setup link
    /// (24 h), shown once by the caller and never stored in clear.
    pub async fn create(&self, actor: &Actor, cmd: &NewAdmin) -> Result<(Admin, String), DomainError> {
        let ctx = &self.0;
        let email = cmd.email.as_deref().map(crate::auth::registration::email_field).transpose()?;
        let token = tokens::opaque_token();
        let admin = crate::transaction!(ctx.db, |tx| {
            let Some(admin) = admins::insert(
                tx,
                Uuid::now_v7(),
                email.as_deref(),
                &cmd.name,
                cmd.avatar_url.as_deref(),
                cmd.role,
                None,
            )
            .await?
            else {
                return Err(DomainError::rejected(
                    ErrorCode::AdminEmailTaken,
                    "a staff account with this e-mail exists",
                ));
            };
            let expires = Utc::now() + chrono::Duration::seconds(SETUP_LINK_SECS);
            admins::insert_setup_token(tx, &tokens::token_hash(&token), admin.id, expires).await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::AdminCreate, "admin", admin.id).after(admin_snapshot(&admin)),
            )
            .await?;
            Ok(admin)
        })?;
        Ok((admin, ctx.link("setup", &token)))
    }

    /// Offset listing (CLI).
    pub async fn list(&self, limit: i64, offset: i64) -> Result<Vec<Admin>, DomainError> {
        let mut c = self.0.db.conn().await?;
        Ok(admins::list(&mut c, limit, offset).await?)
    }

    /// Staff accounts, newest first, optionally of one role and status.
    pub async fn page(
        &self,
        role: Option<&str>,
        status: Option<&str>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<Admin>, DomainError> {
        let role = role.map(helium_domain::admin::commands::parse_role).transpose()?;
        let status = status
            .map(|s| {
                AdminStatus::parse(s).ok_or_else(|| {
                    DomainError::validation(vec![FieldError::new("status", "invalid_enum", "use active or disabled")])
                })
            })
            .transpose()?;
        let limit = page_limit(limit)?;
        let scope = format!("admins:{}:{}", role.map_or("", Role::as_str), status.map_or("", AdminStatus::as_str));
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = admins::page(&mut c, role, status, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |a| (a.created_at, a.id)))
    }

    pub async fn get(&self, id: Uuid) -> Result<Admin, DomainError> {
        let mut c = self.0.db.conn().await?;
        admins::by_id(&mut c, id).await?.ok_or_else(not_found)
    }

    /// Deletes an account (its sessions and keys with it); the last active SuperAdmin cannot go.
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<Admin, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let supers = admins::lock_and_count_super_admins(tx).await?;
            let admin = admins::for_update(tx, id).await?.ok_or_else(not_found)?;
            if admin.is_active_super_admin() && supers <= 1 {
                return Err(last_super_admin());
            }
            revoke_creator_keys(ctx, tx, actor, id, None, "creator deleted").await?;
            admins::delete(tx, id).await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::AdminDelete, "admin", id).before(admin_snapshot(&admin)),
            )
            .await?;
            Ok(admin)
        })
    }

    /// Sets the first password from a setup link (single use, 24 h).
    pub async fn complete_setup(&self, cmd: &TokenPassword) -> Result<(), DomainError> {
        let ctx = &self.0;
        check_password("password", &cmd.password, None)?;
        let hash = password::hash(cmd.password.clone()).await?;
        crate::transaction!(ctx.db, |tx| {
            let Some((admin_id, expires_at)) = admins::take_setup_token(tx, &tokens::token_hash(&cmd.token)).await?
            else {
                return Err(DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used"));
            };
            if expires_at <= Utc::now() {
                return Ok(Err(DomainError::rejected(ErrorCode::LinkExpired, "this setup link has expired")));
            }
            let admin = admins::for_update(tx, admin_id).await?.ok_or_else(not_found)?;
            if let Some(email) = &admin.email {
                check_password("password", &cmd.password, Some(email))?;
            }
            admins::set_password(tx, admin_id, &hash).await?;
            let actor = Actor::admin(admin_id, admin.role.as_str());
            let change =
                Change::new(AuditAction::AdminSetup, "admin", admin_id).after(json!({ "password": "********" }));
            audit::append(tx, &ctx.keys, &actor, change).await?;
            Ok(Ok(()))
        })?
    }

    /// Renames, changes the role of, disables or re-enables an account. Nobody grants a role
    /// above their own or changes their own; a role change or disable ends every session of
    /// the account at once; the last active SuperAdmin can be neither demoted nor disabled.
    pub async fn update(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        id: Uuid,
        patch: &AdminPatch,
    ) -> Result<Admin, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let supers = admins::lock_and_count_super_admins(tx).await?;
            let before = admins::for_update(tx, id).await?.ok_or_else(not_found)?;
            let role = patch.role.unwrap_or(before.role);
            let status = match patch.disabled {
                Some(true) => AdminStatus::Disabled,
                Some(false) => AdminStatus::Active,
                None => before.status,
            };
            let role_changed = role != before.role;
            if role_changed {
                if me.admin_id == Some(id) {
                    return Err(not_grantable("you cannot change your own role"));
                }
                if !me.role.may_grant(role) || !me.role.may_grant(before.role) {
                    return Err(not_grantable("you cannot grant or take away a role above your own"));
                }
            }
            let stays_super = role == Role::SuperAdmin && status == AdminStatus::Active;
            if before.is_active_super_admin() && !stays_super && supers <= 1 {
                return Err(last_super_admin());
            }
            // The acting account itself may have been demoted or disabled while this request waited.
            if me.api_key_id.is_none()
                && let Some(actor_id) = me.admin_id
            {
                let current = admins::by_id(tx, actor_id).await?;
                if !current.is_some_and(|a| a.status == AdminStatus::Active && a.role == me.role) {
                    return Err(unauthenticated());
                }
            }

            let mut old = Map::new();
            let mut new = Map::new();
            let name = patch.name.clone().unwrap_or_else(|| before.name.clone());
            if name != before.name {
                old.insert("name".into(), json!(before.name));
                new.insert("name".into(), json!(name));
            }
            if role_changed {
                old.insert("role".into(), json!(before.role.as_str()));
                new.insert("role".into(), json!(role.as_str()));
            }
            if status != before.status {
                old.insert("status".into(), json!(before.status.as_str()));
                new.insert("status".into(), json!(status.as_str()));
            }
            if new.is_empty() {
                return Ok(before);
            }
            let disabling = status == AdminStatus::Disabled && before.status != AdminStatus::Disabled;
            let revoke = role_changed || disabling;
            admins::update(tx, id, &name, before.avatar_url.as_deref(), role, status, revoke).await?;
            if revoke {
                sessions::revoke_all(tx, id, None).await?;
            }
            if disabling {
                revoke_creator_keys(ctx, tx, actor, id, None, "creator disabled").await?;
            } else if role < before.role {
                revoke_creator_keys(ctx, tx, actor, id, Some(role), "creator demoted below the key's role").await?;
            }
            let change =
                Change::new(AuditAction::AdminUpdate, "admin", id).before(Value::Object(old)).after(Value::Object(new));
            audit::append(tx, &ctx.keys, actor, change).await?;
            admins::for_update(tx, id).await?.ok_or_else(not_found)
        })
    }
}
