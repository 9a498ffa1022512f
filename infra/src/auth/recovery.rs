//! Password reset by e-mailed link and password change. Reset requests answer the same for
//! known, unknown and banned addresses; mail goes through the outbox so timing stays flat.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::commands::{ChangePassword, TokenPassword};
use helium_domain::auth::{CustomerPrincipal, CustomerStatus, rules};
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::AuthContext;
use super::registration::{check_password, link_invalid};
use super::sending::hold_address;
use super::session_cache;
use super::store::one_time::{self, NewToken, Redeemed};
use super::store::{sessions, users};
use crate::events::outbox;
use crate::identity::password_login::{self, PasswordVerdict};
use crate::identity::{attempts, password, tokens};
use crate::mail::email_event;

fn link_expired() -> DomainError {
    DomainError::rejected(ErrorCode::LinkExpired, "this link has expired; request a new one")
}

/// The events of a password change: `user.password_changed` and a security notice by e-mail.
pub(crate) async fn password_changed(
    ctx: &AuthContext,
    c: &mut PgConnection,
    user_id: Uuid,
    email: &str,
) -> Result<(), DomainError> {
    let changed = Event::new(
        Uuid::now_v7(),
        types::USER_PASSWORD_CHANGED,
        user_id.to_string(),
        Utc::now(),
        json!({ "user_id": user_id }),
    );
    outbox::append(c, &changed).await?;
    let notice = email_event(
        c,
        &ctx.keys,
        email,
        EmailTemplate::SecurityPasswordChanged,
        json!({ "occurred_at": Utc::now().to_rfc3339(), "recipient": email }),
        json!({}),
    )
    .await?;
    Ok(outbox::append(c, &notice).await?)
}

/// Checks the account's current password (failures count like sign-in failures, per account
/// and address) and answers the account's address; `wrong` is the refusal.
pub(crate) async fn current_password(
    ctx: &AuthContext,
    user_id: Uuid,
    password: &str,
    client: &ClientInfo,
    wrong: impl Fn() -> DomainError,
) -> Result<String, DomainError> {
    let account = user_id.to_string();
    let limits = attempts::password_limits(&ctx.redis, "reauth", &account, client.ip.as_deref());
    attempts::limited(&ctx.redis, &limits, async {
        let credential = {
            let mut c = ctx.db.conn().await?;
            users::credential_by_id(&mut c, user_id).await?
        };
        let Some(credential) = credential else { return Err(wrong()) };
        match password_login::check(credential.password_hash, password).await? {
            PasswordVerdict::Wrong => Err(wrong()),
            PasswordVerdict::Right { .. } => Ok(credential.email),
        }
    })
    .await
}

#[derive(Clone)]
pub struct Recovery(pub(crate) Arc<AuthContext>);

impl Recovery {
    /// E-mails a reset link when the address has an active account; answers the same otherwise.
    pub async fn forgot_password(&self, email_raw: &str, client: &ClientInfo) -> Result<(), DomainError> {
        let ctx = &self.0;
        let Some(email) = rules::normalize_email(email_raw) else { return Ok(()) };
        let cfg = ctx.auth_config().await?;
        let token = tokens::opaque_token();
        let ttl = cfg.email_provider.magic_link_expire_after.0;
        crate::transaction!(ctx.db, |tx| {
            hold_address(ctx, tx, &cfg, &email, "password_reset", client.ip.as_deref()).await?;
            let subject = users::id_and_status(tx, &email)
                .await?
                .filter(|(_, status)| *status == CustomerStatus::Active)
                .map(|(id, _)| id);
            // A row exists either way, so the resend interval and the work done match.
            let hash = tokens::token_hash(&token);
            let data = json!({});
            let row = NewToken {
                hash: &hash,
                kind: "magic_link",
                purpose: "password_reset",
                email: &email,
                subject_id: subject,
                expires_at: Utc::now() + chrono::Duration::seconds(ttl as i64),
                data: &data,
            };
            one_time::insert(tx, &row).await?;
            if subject.is_some() {
                let event = email_event(
                    tx,
                    &ctx.keys,
                    &email,
                    EmailTemplate::PasswordReset,
                    json!({ "expires_minutes": ttl / 60, "recipient": email }),
                    json!({ "link": ctx.link("password/reset", &token) }),
                )
                .await?;
                outbox::append(tx, &event).await?;
            }
            Ok(())
        })
    }

    /// Sets a new password from a reset link and ends every session of the account.
    pub async fn reset_password(&self, cmd: &TokenPassword) -> Result<(), DomainError> {
        let ctx = &self.0;
        check_password("new_password", &cmd.password, None)?;
        let hash = tokens::token_hash(&cmd.token);
        let peeked = {
            let mut c = ctx.db.conn().await?;
            one_time::peek_link(&mut c, &hash, "password_reset").await?
        };
        let email = match peeked {
            None => return Err(link_invalid()),
            Some((_, true)) => return Err(link_expired()),
            Some((email, false)) => email,
        };
        check_password("new_password", &cmd.password, Some(&email))?;
        let new_hash = password::hash(cmd.password.clone()).await?;
        let revoked = crate::transaction!(ctx.db, |tx| {
            match one_time::redeem_link(tx, &hash, "password_reset").await? {
                Redeemed::Ok { .. } => {}
                Redeemed::Expired => return Ok(Err(link_expired())),
                Redeemed::Unknown => return Err(link_invalid()),
            }
            let user_id = match users::id_and_status(tx, &email).await? {
                Some((id, CustomerStatus::Active)) => id,
                _ => return Ok(Err(link_invalid())),
            };
            users::set_password_hash(tx, user_id, Some(&new_hash)).await?;
            one_time::delete_for(tx, &email, "password_reset").await?;
            let revoked = sessions::revoke_all(tx, user_id, None, "password_reset").await?;
            users::bump_tokens_valid_after(tx, user_id).await?;
            password_changed(ctx, tx, user_id, &email).await?;
            Ok(Ok(revoked))
        })??;
        session_cache::forget(ctx, &revoked).await;
        Ok(())
    }

    /// Changes the password after checking the current one (its failures count like sign-in
    /// failures); the other sessions end.
    pub async fn change_password(
        &self,
        me: CustomerPrincipal,
        cmd: &ChangePassword,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let ctx = &self.0;
        let reauth = || DomainError::rejected(ErrorCode::ReauthFailed, "the current password is wrong");
        let email = current_password(ctx, me.user_id, &cmd.current_password, client, reauth).await?;
        check_password("new_password", &cmd.new_password, Some(&email))?;
        let new_hash = password::hash(cmd.new_password.clone()).await?;
        let revoked = crate::transaction!(ctx.db, |tx| {
            users::set_password_hash(tx, me.user_id, Some(&new_hash)).await?;
            one_time::delete_for(tx, &email, "password_reset").await?;
            let revoked = sessions::revoke_all(tx, me.user_id, Some(me.session_id), "password_changed").await?;
            password_changed(ctx, tx, me.user_id, &email).await?;
            Ok(revoked)
        })?;
        session_cache::forget(ctx, &revoked).await;
        Ok(())
    }
}
