//! Sign-up by e-mailed magic link: `register` answers alike for every address (an existing
//! account gets a "you already have an account" mail instead of a link), `complete` redeems
//! the link once and opens the first session.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::commands::{Register, TokenPassword};
use helium_domain::auth::{Customer, TokenPair, rules};
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::text::Fields;
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::context::AuthContext;
use super::sending::{hold_address, registration_allowed};
use super::signin::open_session;
use super::store::{one_time, users};
use crate::events::outbox;
use crate::identity::{password, sends, tokens};
use crate::mail::email_event;

pub(crate) fn link_invalid() -> DomainError {
    DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used")
}

/// The address of a command, normalised, or 422 naming `email`.
pub(crate) fn email_field(raw: &str) -> Result<String, DomainError> {
    rules::normalize_email(raw)
        .ok_or_else(|| DomainError::field("email", "invalid_format", "not a valid e-mail address"))
}

/// The password policy (length, not the address, not a common password) for `field`.
pub fn check_password(field: &str, password: &str, email: Option<&str>) -> Result<(), DomainError> {
    let mut f = Fields::new();
    f.extend(rules::check_password(field, password, email));
    f.finish(())
}

#[derive(Clone)]
pub struct Registration(pub(crate) Arc<AuthContext>);

impl Registration {
    /// Starts registration. The answer is the same whether or not the address has an account.
    pub async fn register(&self, cmd: &Register, client: &ClientInfo) -> Result<(), DomainError> {
        let ctx = &self.0;
        let email = email_field(&cmd.email)?;
        let cfg = ctx.auth_config().await?;
        registration_allowed(&cfg, &email)?;
        sends::count(&ctx.redis, &[sends::registrations_per_ip(&ctx.redis, client.ip.as_deref())]).await?;
        let token = tokens::opaque_token();
        let ttl = cfg.email_provider.magic_link_expire_after.0;
        crate::transaction!(ctx.db, |tx| {
            hold_address(ctx, tx, &cfg, &email, "register", client.ip.as_deref()).await?;
            let exists = users::exists(tx, &email).await?;
            // A token row exists in both cases so the resend interval and the work done match.
            let data = json!({ "referral_code": cmd.referral_code });
            let hash = tokens::token_hash(&token);
            let row = one_time::NewToken {
                hash: &hash,
                kind: "magic_link",
                purpose: "register",
                email: &email,
                subject_id: None,
                expires_at: Utc::now() + chrono::Duration::seconds(ttl as i64),
                data: &data,
            };
            one_time::insert(tx, &row).await?;
            let event = if exists {
                email_event(
                    tx,
                    &ctx.keys,
                    &email,
                    EmailTemplate::RegisterExistingAccount,
                    json!({ "sign_in_url": ctx.page("login"), "reset_url": ctx.page("password/forgot"), "recipient": email }),
                    json!({}),
                )
                .await?
            } else {
                email_event(
                    tx,
                    &ctx.keys,
                    &email,
                    EmailTemplate::RegisterMagicLink,
                    json!({ "expires_minutes": ttl / 60, "recipient": email }),
                    json!({ "link": ctx.link("register/complete", &token) }),
                )
                .await?
            };
            outbox::append(tx, &event).await?;
            Ok(())
        })
    }

    /// Completes registration from the e-mailed link and signs the new customer in.
    pub async fn complete(
        &self,
        cmd: &TokenPassword,
        client: &ClientInfo,
    ) -> Result<(Customer, TokenPair), DomainError> {
        let ctx = &self.0;
        check_password("password", &cmd.password, None)?;
        let hash = tokens::token_hash(&cmd.token);
        let peeked = {
            let mut c = ctx.db.conn().await?;
            one_time::peek_link(&mut c, &hash, "register").await?
        };
        let email = match peeked {
            None => return Err(link_invalid()),
            Some((_, true)) => {
                return Err(DomainError::rejected(ErrorCode::LinkExpired, "this link has expired; register again"));
            }
            Some((email, false)) => email,
        };
        check_password("password", &cmd.password, Some(&email))?;
        let cfg = ctx.auth_config().await?;
        let password_hash = password::hash(cmd.password.clone()).await?;
        crate::transaction!(ctx.db, |tx| {
            let (email, data) = match one_time::redeem_link(tx, &hash, "register").await? {
                one_time::Redeemed::Ok { email, data } => (email, data),
                one_time::Redeemed::Expired => {
                    return Ok(Err(DomainError::rejected(
                        ErrorCode::LinkExpired,
                        "this link has expired; register again",
                    )));
                }
                one_time::Redeemed::Unknown => return Err(link_invalid()),
            };
            let referral = data.get("referral_code").and_then(|v| v.as_str());
            let Some(user) = users::insert(tx, Uuid::now_v7(), &email, Some(&password_hash), referral).await? else {
                return Err(link_invalid());
            };
            let registered = Event::new(
                Uuid::now_v7(),
                types::USER_REGISTERED,
                user.id.to_string(),
                Utc::now(),
                json!({ "user_id": user.id, "referral_code": referral }),
            );
            outbox::append(tx, &registered).await?;
            let pair = open_session(tx, &cfg, user.id, client).await?;
            Ok(Ok((user, pair)))
        })?
    }
}
