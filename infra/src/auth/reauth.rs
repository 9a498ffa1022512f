//! Recent re-authentication ("sudo mode"). Sensitive account changes — setting or removing a
//! sign-in method, linking a provider, changing the e-mail address — need a fresh proof that
//! the caller is the account's owner, not merely someone holding an access token: the current
//! password, a TOTP code, or (for password-less accounts) a code e-mailed to the account. The
//! proof is a short-lived token bound to the account and the session it was made in; signing
//! in does not count.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::commands::{ReauthProof, SecondFactor};
use helium_domain::auth::{CustomerPrincipal, CustomerStatus};
use helium_domain::config::AuthConfig;
use helium_domain::events::EmailTemplate;
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::context::AuthContext;
use super::factors::CustomerFactors;
use super::sending::hold_address;
use super::signin::{self, banned};
use super::store::{one_time, users};
use crate::events::outbox;
use crate::identity::password_login::{self, PasswordVerdict};
use crate::identity::{attempts, second_factor, tokens};
use crate::mail::email_event;

pub const REAUTH_TYP: &str = "reauth";
/// How long a proof lasts.
pub const REAUTH_SECS: i64 = 300;
const PURPOSE: &str = "reauth";

fn audience(cfg: &AuthConfig) -> String {
    format!("{}_reauth", cfg.jwt.access_audience)
}

fn failed() -> DomainError {
    DomainError::rejected(ErrorCode::ReauthFailed, "the password or code did not verify")
}

fn required() -> DomainError {
    DomainError::rejected(
        ErrorCode::ReauthRequired,
        "confirm it is you first: POST /api/v1/auth/reauth, then send the proof in X-Reauth-Token",
    )
}

/// A proof of recent re-authentication.
#[derive(Debug, Clone)]
pub struct ReauthGrant {
    pub reauth_token: String,
    pub expires_in: u64,
}

/// Whether `proof` is a live re-authentication of `me` in this very session.
pub fn require(cfg: &AuthConfig, me: CustomerPrincipal, proof: Option<&str>) -> Result<(), DomainError> {
    let proof = proof.filter(|p| !p.is_empty()).ok_or_else(required)?;
    let claims = signin::verify(cfg, proof, REAUTH_TYP, &audience(cfg), required, required)?;
    let sub_ok: bool = claims.sub.as_bytes().ct_eq(me.user_id.to_string().as_bytes()).into();
    let sid_ok: bool = claims.sid.as_bytes().ct_eq(me.session_id.to_string().as_bytes()).into();
    if sub_ok && sid_ok { Ok(()) } else { Err(required()) }
}

#[derive(Clone)]
pub struct Reauth(pub(crate) Arc<AuthContext>);

impl Reauth {
    /// E-mails a six-digit code to the account's own address (for accounts without a
    /// password); the code is good only for re-authenticating this account.
    pub async fn send_code(&self, me: CustomerPrincipal, client: &ClientInfo) -> Result<(), DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        crate::transaction!(ctx.db, |tx| {
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(required)?;
            hold_address(ctx, tx, &cfg, &user.email, PURPOSE, client.ip.as_deref()).await?;
            one_time::delete_otps(tx, &user.email, PURPOSE).await?;
            let code = tokens::numeric_code();
            let ttl = cfg.email_provider.otp_expire_after.0;
            let hash = code_hash(me.user_id, &code);
            let data = json!({});
            let expires_at = Utc::now() + chrono::Duration::seconds(ttl as i64);
            let row = one_time::NewToken {
                hash: &hash,
                kind: "otp",
                purpose: PURPOSE,
                email: &user.email,
                subject_id: Some(me.user_id),
                expires_at,
                data: &data,
            };
            one_time::insert(tx, &row).await?;
            let mail = email_event(
                tx,
                &ctx.keys,
                &user.email,
                EmailTemplate::SignInCode,
                json!({ "expires_minutes": (ttl / 60).max(1), "recipient": user.email }),
                json!({ "code": code }),
            )
            .await?;
            outbox::append(tx, &mail).await?;
            Ok(())
        })
    }

    /// Checks one proof of ownership and returns a short-lived re-authentication token.
    pub async fn confirm(
        &self,
        me: CustomerPrincipal,
        proof: &ReauthProof,
        client: &ClientInfo,
    ) -> Result<ReauthGrant, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let account = me.user_id.to_string();
        let ip = client.ip.as_deref();
        match proof {
            ReauthProof::Password(password) => {
                let limits = attempts::password_limits(&ctx.redis, "reauth", &account, ip);
                attempts::limited(&ctx.redis, &limits, self.check_password(me, password)).await?;
            }
            ReauthProof::Totp(code) => {
                let mut c = ctx.db.begin().await?;
                let sealer = ctx.keys.sealer(&mut c).await?;
                let factor = SecondFactor::Code(code.clone());
                second_factor::check(&CustomerFactors, &sealer, &ctx.redis, &mut c, me.user_id, &factor, failed)
                    .await?;
                c.commit().await.map_err(crate::db::DbError::from)?;
            }
            ReauthProof::EmailCode(code) => {
                let limits = attempts::code_limits(&ctx.redis, "reauth", &account, ip);
                attempts::limited(&ctx.redis, &limits, self.check_email_code(me, code)).await?;
            }
        }
        let reauth_token =
            signin::sign(&cfg, me.user_id, &me.session_id.to_string(), REAUTH_TYP, audience(&cfg), REAUTH_SECS)?;
        Ok(ReauthGrant { reauth_token, expires_in: REAUTH_SECS as u64 })
    }

    async fn check_password(&self, me: CustomerPrincipal, password: &str) -> Result<(), DomainError> {
        let credential = {
            let mut c = self.0.db.conn().await?;
            users::credential_by_id(&mut c, me.user_id).await?
        };
        let Some(credential) = credential else { return Err(failed()) };
        if credential.status == CustomerStatus::Banned {
            return Err(banned());
        }
        match password_login::check(credential.password_hash, password).await? {
            PasswordVerdict::Wrong => Err(failed()),
            PasswordVerdict::Right { .. } => Ok(()),
        }
    }

    async fn check_email_code(&self, me: CustomerPrincipal, code: &str) -> Result<(), DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(failed)?;
            let Some(row) = one_time::latest_otp_for_update(tx, &user.email, PURPOSE).await? else {
                return Ok(Err(failed()));
            };
            let presented = code_hash(me.user_id, code.trim());
            let matches: bool = presented.ct_eq(&row.token_hash).into();
            // A code works once, right or wrong: a wrong one burns it.
            one_time::expire(tx, &row.token_hash).await?;
            Ok(if matches && row.expires_at > Utc::now() { Ok(()) } else { Err(failed()) })
        })?
    }
}

fn code_hash(user_id: Uuid, code: &str) -> Vec<u8> {
    tokens::token_hash(&format!("reauth:{user_id}:{code}"))
}
