//! Staff self-service: TOTP setup, enable (with recovery codes), disable, regenerate, password
//! change and profile edits. Wrong passwords and codes count like sign-in failures; every
//! write appends its audit row (without secrets) in its transaction.

use std::sync::Arc;

use helium_domain::admin::commands::ProfilePatch;
use helium_domain::admin::{Admin, StaffPrincipal};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::auth::TotpSetup;
use helium_domain::auth::commands::{ChangePassword, DisableTotp, SecondFactor};
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::context::{AdminContext, internal, unauthenticated};
use super::factors::StaffFactors;
use super::store::{admins, mfa, sessions};
use crate::audit;
use crate::auth::registration::check_password;
use crate::identity::password_login::{self, PasswordVerdict};
use crate::identity::{attempts, password, second_factor, totp};

fn reauth() -> DomainError {
    DomainError::rejected(ErrorCode::ReauthFailed, "the code or password did not verify")
}

fn already_enabled() -> DomainError {
    DomainError::rejected(ErrorCode::MfaAlreadyEnabled, "MFA is already enabled")
}

/// The account and session of a self-service request: a signed-in human, never an API key.
fn human(me: &StaffPrincipal) -> Result<(Uuid, Uuid), DomainError> {
    match (me.api_key_id, me.admin_id, me.session_id) {
        (None, Some(admin_id), Some(session_id)) => Ok((admin_id, session_id)),
        _ => Err(DomainError::rejected(ErrorCode::PermissionDenied, "API keys have no self-service operations")),
    }
}

#[derive(Clone)]
pub struct StaffSelf(pub(crate) Arc<AdminContext>);

impl StaffSelf {
    /// Checks the caller's current password within the password failure limits.
    async fn check_current_password(
        &self,
        admin_id: Uuid,
        presented: &str,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let ctx = &self.0;
        let account = admin_id.to_string();
        let limits = attempts::password_limits(&ctx.redis, "staff:reauth", &account, client.ip.as_deref());
        attempts::limited(&ctx.redis, &limits, async {
            let credential = {
                let mut c = ctx.db.conn().await?;
                admins::credential_by_id(&mut c, admin_id).await?
            };
            let stored = credential.and_then(|a| a.password_hash);
            match password_login::check(stored, presented).await? {
                PasswordVerdict::Wrong => {
                    Err(DomainError::rejected(ErrorCode::ReauthFailed, "the current password is wrong"))
                }
                PasswordVerdict::Right { .. } => Ok(()),
            }
        })
        .await
    }

    /// A new pending seed; shown once. Enabling needs a code from it.
    pub async fn setup_totp(&self, me: &StaffPrincipal, actor: &Actor) -> Result<TotpSetup, DomainError> {
        let (admin_id, _) = human(me)?;
        let ctx = &self.0;
        let cfg = ctx.jwt_config().await?;
        let seed = totp::new_seed();
        let admin = crate::transaction!(ctx.db, |tx| {
            let admin = admins::by_id(tx, admin_id).await?.ok_or_else(unauthenticated)?;
            let sealed = ctx.keys.sealer(tx).await?.seal(&seed, admin_id.as_bytes()).map_err(internal)?;
            if !mfa::put_pending(tx, admin_id, &sealed).await? {
                return Err(already_enabled());
            }
            let change = Change::new(AuditAction::AdminMfaSetup, "admin", admin_id).after(json!({ "totp": "pending" }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(admin)
        })?;
        let issuer = cfg.issuer.trim_start_matches("https://").trim_start_matches("http://").to_owned();
        let account = admin.email.as_deref().unwrap_or(&admin.name);
        Ok(TotpSetup {
            secret: totp::base32(&seed),
            otpauth_uri: totp::otpauth_uri(&seed, &issuer, account).map_err(internal)?,
        })
    }

    /// Turns MFA on with a code from the pending seed; returns ten recovery codes (shown once)
    /// and ends the admin's other sessions.
    pub async fn enable_totp(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>, DomainError> {
        let (admin_id, session_id) = human(me)?;
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let Some(row) = mfa::totp(tx, admin_id).await? else {
                return Err(DomainError::rejected(ErrorCode::MfaSetupRequired, "set up TOTP first"));
            };
            if row.enabled {
                return Err(already_enabled());
            }
            let sealer = ctx.keys.sealer(tx).await?;
            let step =
                second_factor::pending_step(&StaffFactors, &sealer, &ctx.redis, &row, admin_id, code, reauth).await?;
            if !mfa::use_step(tx, admin_id, step as i64).await? || !mfa::enable(tx, admin_id).await? {
                return Err(already_enabled());
            }
            let codes = second_factor::new_recovery_codes(&StaffFactors, tx, admin_id).await?;
            sessions::revoke_all(tx, admin_id, Some(session_id)).await?;
            let change = Change::new(AuditAction::AdminMfaEnable, "admin", admin_id)
                .before(json!({ "mfa_enabled": false }))
                .after(json!({ "mfa_enabled": true }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(codes)
        })
    }

    /// Turns MFA off: needs the password and a code (or recovery code); ends other sessions.
    pub async fn disable_totp(&self, me: &StaffPrincipal, actor: &Actor, cmd: &DisableTotp) -> Result<(), DomainError> {
        let (admin_id, session_id) = human(me)?;
        let ctx = &self.0;
        self.check_current_password(admin_id, &cmd.password, &actor.client).await?;
        crate::transaction!(ctx.db, |tx| {
            let sealer = ctx.keys.sealer(tx).await?;
            second_factor::check(&StaffFactors, &sealer, &ctx.redis, tx, admin_id, &cmd.factor, reauth).await?;
            mfa::remove(tx, admin_id).await?;
            sessions::revoke_all(tx, admin_id, Some(session_id)).await?;
            let change = Change::new(AuditAction::AdminMfaDisable, "admin", admin_id)
                .before(json!({ "mfa_enabled": true }))
                .after(json!({ "mfa_enabled": false }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })
    }

    /// New recovery codes (the old ones die), after a TOTP code.
    pub async fn regenerate_recovery_codes(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>, DomainError> {
        let (admin_id, _) = human(me)?;
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let sealer = ctx.keys.sealer(tx).await?;
            let factor = SecondFactor::Code(code.to_owned());
            second_factor::check(&StaffFactors, &sealer, &ctx.redis, tx, admin_id, &factor, reauth).await?;
            let codes = second_factor::new_recovery_codes(&StaffFactors, tx, admin_id).await?;
            let change = Change::new(AuditAction::AdminRecoveryCodesRegenerate, "admin", admin_id)
                .after(json!({ "recovery_codes": "********" }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(codes)
        })
    }

    /// Changes the password after the current one; ends the admin's other sessions.
    pub async fn change_password(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        cmd: &ChangePassword,
    ) -> Result<(), DomainError> {
        let (admin_id, session_id) = human(me)?;
        let ctx = &self.0;
        self.check_current_password(admin_id, &cmd.current_password, &actor.client).await?;
        let email = {
            let mut c = ctx.db.conn().await?;
            admins::by_id(&mut c, admin_id).await?.ok_or_else(unauthenticated)?.email
        };
        check_password("new_password", &cmd.new_password, email.as_deref())?;
        let hash = password::hash(cmd.new_password.clone()).await?;
        crate::transaction!(ctx.db, |tx| {
            admins::set_password(tx, admin_id, &hash).await?;
            sessions::revoke_all(tx, admin_id, Some(session_id)).await?;
            let change = Change::new(AuditAction::AdminPasswordChange, "admin", admin_id)
                .after(json!({ "password": "********" }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })
    }

    /// Changes the signed-in admin's own name and avatar; role and status stay as they are.
    pub async fn update_me(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        patch: &ProfilePatch,
    ) -> Result<Admin, DomainError> {
        let (admin_id, _) = human(me)?;
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = admins::for_update(tx, admin_id).await?.ok_or_else(unauthenticated)?;
            let name = patch.name.clone().unwrap_or_else(|| before.name.clone());
            let avatar = patch.avatar_url.clone().unwrap_or_else(|| before.avatar_url.clone());
            let (mut old, mut new) = (Map::new(), Map::new());
            if name != before.name {
                old.insert("name".into(), json!(before.name));
                new.insert("name".into(), json!(name));
            }
            if avatar != before.avatar_url {
                old.insert("avatar_url".into(), json!(before.avatar_url));
                new.insert("avatar_url".into(), json!(avatar));
            }
            if new.is_empty() {
                return Ok(before);
            }
            admins::update(tx, admin_id, &name, avatar.as_deref(), before.role, before.status, false).await?;
            let change = Change::new(AuditAction::AdminUpdateMe, "admin", admin_id)
                .before(Value::Object(old))
                .after(Value::Object(new));
            audit::append(tx, &ctx.keys, actor, change).await?;
            admins::for_update(tx, admin_id).await?.ok_or_else(unauthenticated)
        })
    }
}
