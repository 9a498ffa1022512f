//! Staff TOTP MFA and the other self-service writes: setup, enable (with recovery codes),
//! disable, regenerate, the second sign-in step, password change and profile edits. Seeds are
//! sealed like customers' (`totp-seed-v1`, bound to the admin id); wrong second factors are
//! throttled per account (SECURITY.md §1.7). Every write appends its audit row in the same
//! transaction, without secrets.

use chrono::Utc;
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::audit::{self, Actor, Change};
use super::mfa_store;
use super::service::{ADMIN_MFA_TYP, StaffLogin, StaffPrincipal, StaffService, checked_name, unauthenticated};
use super::store::{self, AdminRow};
use crate::auth::attempts;
use crate::auth::mfa::seed_cipher;
use crate::auth::second_factor::{self, FactorStore, StaffFactors};
use crate::auth::service::{AuthService, ClientInfo, db, internal};
use crate::auth::{password, tokens, totp};

pub use crate::auth::mfa::{SecondFactor, TotpSetup};

/// Longest accepted `avatar_url`.
const AVATAR_URL_MAX: usize = 2048;

/// `adminUpdateMe`: `None` leaves a field unchanged; `avatar_url: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub avatar_url: Option<Option<String>>,
}

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

fn self_change<'a>(action: &'a str, admin_id: Uuid, before: Option<Value>, after: Option<Value>) -> Change<'a> {
    Change { action, target_type: "admin", target_id: Some(admin_id.to_string()), before, after, reason: None }
}

fn profile_name(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    raw.map(checked_name).transpose()
}

/// An absolute http(s) URL without whitespace, at most `AVATAR_URL_MAX` characters.
fn profile_avatar(raw: Option<Option<&str>>) -> Result<Option<Option<String>>, DomainError> {
    match raw {
        Some(Some(url)) => {
            let url = url.trim();
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or("");
            if rest.is_empty() || url.len() > AVATAR_URL_MAX || url.chars().any(char::is_whitespace) {
                return Err(DomainError::validation(vec![FieldError::new(
                    "avatar_url",
                    "invalid_format",
                    "an http(s) URL of at most 2048 characters",
                )]));
            }
            Ok(Some(Some(url.to_owned())))
        }
        Some(None) => Ok(Some(None)),
        None => Ok(None),
    }
}

impl StaffService {
    async fn cipher(&self) -> Result<totp::SeedCipher, DomainError> {
        seed_cipher(&self.pool, &self.data_key).await
    }

    /// Checks a second factor (throttled per account) and records its use in `tx`.
    async fn check_second_factor(
        &self,
        tx: &mut sqlx::PgConnection,
        admin_id: Uuid,
        factor: &SecondFactor<'_>,
        wrong: fn() -> DomainError,
    ) -> Result<(), DomainError> {
        let cipher = self.cipher().await?;
        second_factor::check(&StaffFactors, &cipher, &self.redis, tx, admin_id, factor, wrong).await
    }

    /// Second sign-in step: the `admin_mfa` challenge of `login` plus a TOTP or recovery code.
    pub async fn login_mfa(
        &self,
        mfa_token: &str,
        factor: SecondFactor<'_>,
        client: &ClientInfo,
    ) -> Result<StaffLogin, DomainError> {
        let cfg = self.jwt_config().await?;
        let invalid_token = || DomainError::rejected(ErrorCode::MfaTokenInvalid, "the MFA step expired; sign in again");
        let audience = format!("{}_mfa", cfg.audience);
        let claims = tokens::verify(mfa_token, cfg.secret.expose(), &cfg.issuer, &audience, ADMIN_MFA_TYP)
            .map_err(|_| invalid_token())?;
        let admin_id: Uuid = claims.sub.parse().map_err(|_| invalid_token())?;
        let admin = store::admin_by_id(&self.pool, admin_id).await.map_err(db)?.ok_or_else(invalid_token)?;
        if admin.status != "active" {
            return Err(DomainError::rejected(ErrorCode::AccountDisabled, "this staff account is disabled"));
        }
        // A challenge issued before a revocation (role change, disable) is dead too.
        let valid_after =
            mfa_store::tokens_valid_after(&self.pool, admin_id).await.map_err(db)?.ok_or_else(invalid_token)?;
        if claims.iat < valid_after.timestamp() {
            return Err(invalid_token());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        self.check_second_factor(&mut tx, admin_id, &factor, || {
            DomainError::rejected(ErrorCode::InvalidCode, "wrong code")
        })
        .await?;
        tx.commit().await.map_err(db)?;
        self.open_session(&cfg, admin_id, client).await
    }

    /// A new pending seed; shown once. Enabling needs a code from it.
    pub async fn setup_totp(&self, me: &StaffPrincipal, actor: &Actor) -> Result<TotpSetup, DomainError> {
        let (admin_id, _) = human(me)?;
        let cfg = self.jwt_config().await?;
        let admin = self.get_admin(admin_id).await?;
        let seed = totp::new_seed();
        let sealed = self.cipher().await?.seal(&seed, admin_id.as_bytes()).map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !mfa_store::put_pending(&mut tx, admin_id, &sealed).await.map_err(db)? {
            return Err(already_enabled());
        }
        let change = self_change("admin.mfa_setup", admin_id, None, Some(json!({ "totp": "pending" })));
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
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
        let row = mfa_store::totp(&self.pool, admin_id).await.map_err(db)?;
        let Some(row) = row else {
            return Err(DomainError::rejected(ErrorCode::MfaSetupRequired, "set up TOTP first"));
        };
        if row.enabled {
            return Err(already_enabled());
        }
        let key = StaffFactors.failures_key(&self.redis, admin_id);
        attempts::allow(&self.redis, &key, attempts::SECOND_FACTOR).await?;
        let seed = self.cipher().await?.open(&row.secret, admin_id.as_bytes()).map_err(internal)?;
        let now = Utc::now().timestamp().max(0) as u64;
        let Some(step) = totp::matching_step(&seed, code, now, None) else {
            attempts::settle(&self.redis, &key, &Err::<(), _>(reauth())).await;
            return Err(reauth());
        };
        attempts::settle(&self.redis, &key, &Ok::<(), DomainError>(())).await;
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !mfa_store::use_step(&mut tx, admin_id, step as i64).await.map_err(db)?
            || !mfa_store::enable(&mut tx, admin_id).await.map_err(db)?
        {
            return Err(already_enabled());
        }
        let codes = second_factor::new_recovery_codes(&StaffFactors, &mut tx, admin_id).await?;
        store::revoke_sessions(&mut tx, admin_id, Some(session_id)).await.map_err(db)?;
        let change = self_change(
            "admin.mfa_enable",
            admin_id,
            Some(json!({ "mfa_enabled": false })),
            Some(json!({ "mfa_enabled": true })),
        );
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(codes)
    }

    /// Turns MFA off: needs the password and a code (or recovery code); ends other sessions.
    pub async fn disable_totp(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        factor: SecondFactor<'_>,
        password_raw: &str,
    ) -> Result<(), DomainError> {
        let (admin_id, session_id) = human(me)?;
        let admin = self.get_admin(admin_id).await?;
        let Some(stored) = admin.password_hash.clone() else { return Err(reauth()) };
        if password::verify(stored, password_raw.to_owned()).await.map_err(internal)? == password::Verified::No {
            return Err(reauth());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        self.check_second_factor(&mut tx, admin_id, &factor, reauth).await?;
        mfa_store::remove(&mut tx, admin_id).await.map_err(db)?;
        store::revoke_sessions(&mut tx, admin_id, Some(session_id)).await.map_err(db)?;
        let change = self_change(
            "admin.mfa_disable",
            admin_id,
            Some(json!({ "mfa_enabled": true })),
            Some(json!({ "mfa_enabled": false })),
        );
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// New recovery codes (the old ones die), after a TOTP code.
    pub async fn regenerate_recovery_codes(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>, DomainError> {
        let (admin_id, _) = human(me)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        self.check_second_factor(&mut tx, admin_id, &SecondFactor::Code(code), reauth).await?;
        let codes = second_factor::new_recovery_codes(&StaffFactors, &mut tx, admin_id).await?;
        let change = self_change(
            "admin.recovery_codes_regenerate",
            admin_id,
            None,
            Some(json!({ "recovery_codes": "********" })),
        );
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(codes)
    }

    /// Changes the password after the current one; ends the admin's other sessions.
    pub async fn change_password(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        current: &str,
        new_password: &str,
    ) -> Result<(), DomainError> {
        let (admin_id, session_id) = human(me)?;
        let admin = self.get_admin(admin_id).await?;
        let wrong = || DomainError::rejected(ErrorCode::ReauthFailed, "the current password is wrong");
        let Some(stored) = admin.password_hash.clone() else { return Err(wrong()) };
        if password::verify(stored, current.to_owned()).await.map_err(internal)? == password::Verified::No {
            return Err(wrong());
        }
        AuthService::check_password("new_password", new_password, admin.email.as_deref())?;
        let hash = password::hash(new_password.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        store::set_password(&mut tx, admin_id, &hash).await.map_err(db)?;
        store::revoke_sessions(&mut tx, admin_id, Some(session_id)).await.map_err(db)?;
        let change = self_change("admin.password_change", admin_id, None, Some(json!({ "password": "********" })));
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Changes the signed-in admin's own name and avatar; role and status stay as they are.
    pub async fn update_me(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        patch: ProfilePatch,
    ) -> Result<AdminRow, DomainError> {
        let (admin_id, _) = human(me)?;
        let name = profile_name(patch.name.as_deref())?;
        let avatar = profile_avatar(patch.avatar_url.as_ref().map(Option::as_deref))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let before = store::admin_for_update(&mut tx, admin_id).await.map_err(db)?.ok_or_else(unauthenticated)?;
        let name = name.unwrap_or_else(|| before.name.clone());
        let avatar = avatar.unwrap_or_else(|| before.avatar_url.clone());
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
            tx.commit().await.map_err(db)?;
            return Ok(before);
        }
        store::update_admin(&mut tx, admin_id, &name, avatar.as_deref(), &before.role, &before.status, false)
            .await
            .map_err(db)?;
        let change = self_change("admin.update_me", admin_id, Some(Value::Object(old)), Some(Value::Object(new)));
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        let after = store::admin_for_update(&mut tx, admin_id).await.map_err(db)?.ok_or_else(unauthenticated)?;
        tx.commit().await.map_err(db)?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_fields_are_checked() {
        assert_eq!(profile_name(Some("  Ada  ")).unwrap(), Some("Ada".to_owned()));
        assert!(profile_name(Some("   ")).is_err());
        assert!(profile_name(Some(&"x".repeat(101))).is_err());
        assert_eq!(profile_name(None).unwrap(), None);
        assert_eq!(
            profile_avatar(Some(Some("https://cdn.test/a.png"))).unwrap(),
            Some(Some("https://cdn.test/a.png".to_owned()))
        );
        assert_eq!(profile_avatar(Some(None)).unwrap(), Some(None));
        assert_eq!(profile_avatar(None).unwrap(), None);
        for bad in ["ftp://x.test/a", "https://", "javascript:alert(1)", "https://a b.test"] {
            assert!(profile_avatar(Some(Some(bad))).is_err(), "{bad}");
        }
        assert!(profile_avatar(Some(Some(&format!("https://x.test/{}", "a".repeat(2048))))).is_err());
    }
}
