//! TOTP MFA of customers: setup, enable (with recovery codes), disable, regenerate. Changes
//! end the account's other sessions and send a security e-mail.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::commands::{DisableTotp, SecondFactor};
use helium_domain::auth::{CustomerPrincipal, TotpSetup};
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{AuthContext, internal};
use super::factors::CustomerFactors;
use super::session_cache;
use super::store::{mfa, sessions, users};
use crate::events::outbox;
use crate::identity::password_login::{self, PasswordVerdict};
use crate::identity::{attempts, second_factor, totp};
use crate::mail::email_event;

fn reauth() -> DomainError {
    DomainError::rejected(ErrorCode::ReauthFailed, "the code or password did not verify")
}

fn already_enabled() -> DomainError {
    DomainError::rejected(ErrorCode::MfaAlreadyEnabled, "MFA is already enabled")
}

fn gone() -> DomainError {
    DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use this operation")
}

/// `user.mfa_changed` and the security e-mail.
pub(crate) async fn mfa_changed(
    ctx: &AuthContext,
    c: &mut PgConnection,
    user_id: Uuid,
    email: &str,
    enabled: bool,
    by_staff: bool,
) -> Result<(), DomainError> {
    let mut payload = json!({ "user_id": user_id, "enabled": enabled });
    if by_staff {
        payload["by"] = json!("staff");
    }
    let event = Event::new(Uuid::now_v7(), types::USER_MFA_CHANGED, user_id.to_string(), Utc::now(), payload);
    outbox::append(c, &event).await?;
    let notice = email_event(
        c,
        &ctx.keys,
        email,
        EmailTemplate::SecurityMfaChanged,
        json!({ "enabled": enabled, "occurred_at": Utc::now().to_rfc3339(), "recipient": email }),
        json!({}),
    )
    .await?;
    Ok(outbox::append(c, &notice).await?)
}

#[derive(Clone)]
pub struct Mfa(pub(crate) Arc<AuthContext>);

impl Mfa {
    /// A new pending seed; shown once. Enabling needs a code from it.
    pub async fn setup_totp(&self, me: CustomerPrincipal) -> Result<TotpSetup, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let seed = totp::new_seed();
        let email = crate::transaction!(ctx.db, |tx| {
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(gone)?;
            let sealed = ctx.keys.sealer(tx).await?.seal(&seed, me.user_id.as_bytes()).map_err(internal)?;
            if !mfa::put_pending(tx, me.user_id, &sealed).await? {
                return Err(already_enabled());
            }
            Ok(user.email)
        })?;
        let issuer = cfg.jwt.issuer.trim_start_matches("https://").trim_start_matches("http://").to_owned();
        Ok(TotpSetup {
            secret: totp::base32(&seed),
            otpauth_uri: totp::otpauth_uri(&seed, &issuer, &email).map_err(internal)?,
        })
    }

    /// Turns MFA on with a code from the pending seed; returns ten recovery codes (shown once)
    /// and ends the other sessions.
    pub async fn enable_totp(&self, me: CustomerPrincipal, code: &str) -> Result<Vec<String>, DomainError> {
        let ctx = &self.0;
        let (codes, revoked) = crate::transaction!(ctx.db, |tx| {
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(gone)?;
            let Some(row) = mfa::totp(tx, me.user_id).await? else {
                return Err(DomainError::rejected(ErrorCode::MfaSetupRequired, "set up TOTP first"));
            };
            if row.enabled {
                return Err(already_enabled());
            }
            let sealer = ctx.keys.sealer(tx).await?;
            let step =
                second_factor::pending_step(&CustomerFactors, &sealer, &ctx.redis, &row, me.user_id, code, reauth)
                    .await?;
            if !mfa::use_step(tx, me.user_id, step as i64).await? || !mfa::enable(tx, me.user_id).await? {
                return Err(already_enabled());
            }
            let codes = second_factor::new_recovery_codes(&CustomerFactors, tx, me.user_id).await?;
            let revoked = sessions::revoke_all(tx, me.user_id, Some(me.session_id), "mfa_enabled").await?;
            mfa_changed(ctx, tx, me.user_id, &user.email, true, false).await?;
            Ok((codes, revoked))
        })?;
        session_cache::forget(ctx, &revoked).await;
        Ok(codes)
    }

    /// Turns MFA off: needs the password and a code (or recovery code); ends other sessions.
    pub async fn disable_totp(
        &self,
        me: CustomerPrincipal,
        cmd: &DisableTotp,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let ctx = &self.0;
        let account = me.user_id.to_string();
        let limits = attempts::password_limits(&ctx.redis, "reauth", &account, client.ip.as_deref());
        let email = attempts::limited(&ctx.redis, &limits, async {
            let credential = {
                let mut c = ctx.db.conn().await?;
                users::credential_by_id(&mut c, me.user_id).await?
            };
            let Some(credential) = credential else { return Err(reauth()) };
            match password_login::check(credential.password_hash, &cmd.password).await? {
                PasswordVerdict::Wrong => Err(reauth()),
                PasswordVerdict::Right { .. } => Ok(credential.email),
            }
        })
        .await?;
        let revoked = crate::transaction!(ctx.db, |tx| {
            let sealer = ctx.keys.sealer(tx).await?;
            second_factor::check(&CustomerFactors, &sealer, &ctx.redis, tx, me.user_id, &cmd.factor, reauth).await?;
            mfa::remove(tx, me.user_id).await?;
            let revoked = sessions::revoke_all(tx, me.user_id, Some(me.session_id), "mfa_disabled").await?;
            mfa_changed(ctx, tx, me.user_id, &email, false, false).await?;
            Ok(revoked)
        })?;
        session_cache::forget(ctx, &revoked).await;
        Ok(())
    }

    /// New recovery codes (the old ones die), after a TOTP code — itself the re-authentication.
    pub async fn regenerate_recovery_codes(
        &self,
        me: CustomerPrincipal,
        code: &str,
    ) -> Result<Vec<String>, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let sealer = ctx.keys.sealer(tx).await?;
            let factor = SecondFactor::Code(code.to_owned());
            second_factor::check(&CustomerFactors, &sealer, &ctx.redis, tx, me.user_id, &factor, reauth).await?;
            let codes = second_factor::new_recovery_codes(&CustomerFactors, tx, me.user_id).await?;
            // The owner hears of it: new codes are a way into the account.
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(gone)?;
            let context = json!({ "enabled": true, "recovery_codes": true, "occurred_at": Utc::now().to_rfc3339(),
                                  "recipient": user.email });
            let notice =
                email_event(tx, &ctx.keys, &user.email, EmailTemplate::SecurityMfaChanged, context, json!({})).await?;
            outbox::append(tx, &notice).await?;
            Ok(codes)
        })
    }
}
