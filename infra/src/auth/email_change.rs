//! Changing the account's e-mail address: a re-authenticated request e-mails a single-use link
//! to the new address (and a notice to the current one); confirming it, signed in, switches the
//! address and ends the other sessions. An address another account holds is never revealed at
//! request time (nothing is sent to it); at confirmation it is `email_taken`.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::{CustomerPrincipal, rules};
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::context::AuthContext;
use super::reauth;
use super::recovery::current_password;
use super::registration::link_invalid;
use super::sending::{hold_address, registration_allowed};
use super::session_cache;
use super::store::one_time::{self, NewToken, Redeemed};
use super::store::{sessions, users};
use crate::events::outbox;
use crate::identity::tokens;
use crate::mail::email_event;

const PURPOSE: &str = "email_change";

fn reauth_failed() -> DomainError {
    DomainError::rejected(ErrorCode::ReauthFailed, "the password did not verify")
}

#[derive(Clone)]
pub struct EmailChange(pub(crate) Arc<AuthContext>);

impl EmailChange {
    /// Checks the password (failures count like sign-in failures) or, without one, the
    /// re-authentication proof of this session; then sends the link.
    pub async fn request(
        &self,
        me: CustomerPrincipal,
        new_email_raw: &str,
        password: Option<&str>,
        reauth_proof: Option<&str>,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let ctx = &self.0;
        let new_email = rules::normalize_email(new_email_raw)
            .ok_or_else(|| DomainError::field("new_email", "invalid_format", "an e-mail address"))?;
        let cfg = ctx.auth_config().await?;
        let current = match password {
            Some(password) => current_password(ctx, me.user_id, password, client, reauth_failed).await?,
            None => {
                reauth::require(&cfg, me, reauth_proof)?;
                let mut c = ctx.db.conn().await?;
                users::by_id(&mut c, me.user_id).await?.ok_or_else(reauth_failed)?.email
            }
        };
        if new_email == current {
            return Err(DomainError::field("new_email", "invalid_format", "this is already your address"));
        }
        registration_allowed(&cfg, &new_email).map_err(|e| match e.code() {
            ErrorCode::RegistrationClosed => {
                DomainError::rejected(ErrorCode::EmailDomainNotAllowed, "this e-mail domain is not allowed")
            }
            _ => e,
        })?;
        let token = tokens::opaque_token();
        let ttl = cfg.email_provider.magic_link_expire_after.0;
        crate::transaction!(ctx.db, |tx| {
            hold_address(ctx, tx, &cfg, &new_email, PURPOSE, client.ip.as_deref()).await?;
            one_time::delete_for(tx, &new_email, PURPOSE).await?;
            let hash = tokens::token_hash(&token);
            let data = json!({ "user_id": me.user_id, "old_email": current });
            let row = NewToken {
                hash: &hash,
                kind: "magic_link",
                purpose: PURPOSE,
                email: &new_email,
                subject_id: Some(me.user_id),
                expires_at: Utc::now() + chrono::Duration::seconds(ttl as i64),
                data: &data,
            };
            one_time::insert(tx, &row).await?;
            if !users::exists(tx, &new_email).await? {
                let confirm = email_event(
                    tx,
                    &ctx.keys,
                    &new_email,
                    EmailTemplate::EmailChangeConfirm,
                    json!({ "new_email": new_email, "expires_minutes": ttl / 60, "recipient": new_email }),
                    json!({ "link": ctx.link("account/email/confirm", &token) }),
                )
                .await?;
                outbox::append(tx, &confirm).await?;
            }
            let notice = email_event(
                tx,
                &ctx.keys,
                &current,
                EmailTemplate::EmailChangeRequested,
                json!({ "new_email": new_email, "occurred_at": Utc::now().to_rfc3339(), "recipient": current }),
                json!({}),
            )
            .await?;
            outbox::append(tx, &notice).await?;
            Ok(())
        })
    }

    /// Switches the address of the signed-in account that asked for the link; the other
    /// sessions end.
    pub async fn confirm(&self, me: CustomerPrincipal, token: &str) -> Result<(), DomainError> {
        let ctx = &self.0;
        let hash = tokens::token_hash(token);
        let revoked = crate::transaction!(ctx.db, |tx| {
            let (new_email, data) = match one_time::redeem_link(tx, &hash, PURPOSE).await? {
                Redeemed::Ok { email, data } => (email, data),
                Redeemed::Expired => {
                    return Ok(Err(DomainError::rejected(ErrorCode::LinkExpired, "this link has expired")));
                }
                Redeemed::Unknown => return Err(link_invalid()),
            };
            let owner = data.get("user_id").and_then(|v| v.as_str()).and_then(|s| s.parse::<Uuid>().ok());
            if owner != Some(me.user_id) {
                return Err(link_invalid());
            }
            if users::exists(tx, &new_email).await? {
                return Ok(Err(DomainError::rejected(ErrorCode::EmailTaken, "another account uses this address now")));
            }
            match users::set_email(tx, me.user_id, &new_email).await {
                Ok(true) => {}
                Ok(false) => return Err(link_invalid()),
                Err(e) if e.is_unique("users_email_key") => {
                    return Ok(Err(DomainError::rejected(
                        ErrorCode::EmailTaken,
                        "another account uses this address now",
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            let revoked = sessions::revoke_all(tx, me.user_id, Some(me.session_id), "email_changed").await?;
            let changed = Event::new(
                Uuid::now_v7(),
                types::USER_EMAIL_CHANGED,
                me.user_id.to_string(),
                Utc::now(),
                json!({ "user_id": me.user_id }),
            );
            outbox::append(tx, &changed).await?;
            Ok(Ok(revoked))
        })??;
        session_cache::forget(ctx, &revoked).await;
        Ok(())
    }
}
