//! Signing in: e-mail + password, e-mailed six-digit codes, the second (MFA) step, and refresh
//! token rotation. Guesses are limited per account and per address before any hashing
//! (`identity::attempts`); unknown addresses cost the same as wrong passwords.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::commands::{Credentials, EmailCode, MfaStep};
use helium_domain::auth::{CustomerStatus, LoginOutcome, TokenPair, rules};
use helium_domain::events::EmailTemplate;
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::context::AuthContext;
use super::factors::CustomerFactors;
use super::sending::hold_address;
use super::session_cache;
use super::signin::{self, banned, finish_first_factor, open_session};
use super::store::identities;
use super::store::one_time::{self, NewToken};
use super::store::sessions::{self, Rotation};
use super::store::users;
use crate::events::outbox;
use crate::identity::password_login::{self, PasswordVerdict};
use crate::identity::{attempts, second_factor, tokens};
use crate::mail::email_event;

/// Wrong codes before a code burns.
pub const MAX_CODE_ATTEMPTS: i32 = 5;

fn invalid_credentials() -> DomainError {
    DomainError::rejected(ErrorCode::InvalidCredentials, "wrong e-mail or password")
}

fn invalid_code() -> DomainError {
    DomainError::rejected(ErrorCode::InvalidCode, "wrong, expired or used code")
}

fn code_hash(email: &str, code: &str) -> Vec<u8> {
    tokens::token_hash(&format!("{email}:{code}"))
}

#[derive(Clone)]
pub struct SignIn(pub(crate) Arc<AuthContext>);

impl SignIn {
    /// E-mail + password sign-in within the password failure limits.
    pub async fn login(&self, cmd: &Credentials, client: &ClientInfo) -> Result<LoginOutcome, DomainError> {
        let ctx = &self.0;
        let limits = attempts::password_limits(&ctx.redis, "login", &cmd.email, client.ip.as_deref());
        attempts::limited(&ctx.redis, &limits, self.login_checked(cmd, client)).await
    }

    async fn login_checked(&self, cmd: &Credentials, client: &ClientInfo) -> Result<LoginOutcome, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let credential = match rules::normalize_email(&cmd.email) {
            Some(email) => {
                let mut c = ctx.db.conn().await?;
                users::credential_by_email(&mut c, &email).await?
            }
            None => None,
        };
        let stored = credential.as_ref().and_then(|u| u.password_hash.clone());
        let rehash = match password_login::check(stored, &cmd.password).await? {
            PasswordVerdict::Wrong => return Err(invalid_credentials()),
            PasswordVerdict::Right { rehash } => rehash,
        };
        let Some(user) = credential else { return Err(invalid_credentials()) };
        crate::transaction!(ctx.db, |tx| {
            if let Some(hash) = &rehash {
                users::set_password_hash(tx, user.id, Some(hash)).await?;
            }
            if user.status == CustomerStatus::Banned {
                return Ok(Err(banned()));
            }
            Ok(Ok(finish_first_factor(tx, &cfg, user.id, client).await?))
        })?
    }

    /// Second sign-in step: the challenge token plus a TOTP or recovery code.
    pub async fn login_mfa(&self, cmd: &MfaStep, client: &ClientInfo) -> Result<TokenPair, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let invalid_token = || DomainError::rejected(ErrorCode::MfaTokenInvalid, "the MFA step expired; sign in again");
        let claims = signin::verify(
            &cfg,
            &cmd.mfa_token,
            signin::MFA_TYP,
            &signin::mfa_audience(&cfg),
            invalid_token,
            invalid_token,
        )?;
        let user_id: Uuid = claims.sub.parse().map_err(|_| invalid_token())?;
        crate::transaction!(ctx.db, |tx| {
            let user = users::by_id(tx, user_id).await?.ok_or_else(invalid_token)?;
            if user.status == CustomerStatus::Banned {
                return Err(banned());
            }
            // A challenge issued before "sign out everywhere" or a reset is dead too.
            let valid_after = users::tokens_valid_after(tx, user_id).await?.ok_or_else(invalid_token)?;
            if claims.iat < valid_after.timestamp() {
                return Err(invalid_token());
            }
            let sealer = ctx.keys.sealer(tx).await?;
            second_factor::check(&CustomerFactors, &sealer, &ctx.redis, tx, user_id, &cmd.factor, invalid_code).await?;
            open_session(tx, &cfg, user_id, client).await
        })
    }

    /// Rotates a refresh token; reuse of a rotated one revokes the whole session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let new_refresh = tokens::opaque_token();
        let rotation = crate::transaction!(ctx.db, |tx| {
            Ok(sessions::rotate_refresh(tx, &tokens::token_hash(refresh_token), &tokens::token_hash(&new_refresh))
                .await?)
        })?;
        match rotation {
            Rotation::Rotated { user_id, session_id, refresh_expires_at, user_status } => {
                if user_status == CustomerStatus::Banned {
                    return Err(banned());
                }
                signin::issue(&cfg, user_id, session_id, new_refresh, refresh_expires_at)
            }
            Rotation::Unknown => {
                Err(DomainError::rejected(ErrorCode::RefreshTokenInvalid, "unknown or expired refresh token"))
            }
            Rotation::Reused { session_id } => {
                session_cache::forget(ctx, &[session_id]).await;
                tracing::warn!(%session_id, "refresh token reuse detected; session revoked");
                Err(DomainError::rejected(
                    ErrorCode::RefreshTokenReused,
                    "refresh token reuse; the session was revoked",
                ))
            }
        }
    }

    /// E-mails a six-digit sign-in code to an active account; answers the same otherwise.
    pub async fn request_email_code(&self, email_raw: &str, client: &ClientInfo) -> Result<(), DomainError> {
        let ctx = &self.0;
        let Some(email) = rules::normalize_email(email_raw) else { return Ok(()) };
        let cfg = ctx.auth_config().await?;
        let code = tokens::numeric_code();
        let ttl = cfg.email_provider.otp_expire_after.0;
        crate::transaction!(ctx.db, |tx| {
            hold_address(ctx, tx, &cfg, &email, "email_login", client.ip.as_deref()).await?;
            let mut subject = users::id_and_status(tx, &email)
                .await?
                .filter(|(_, status)| *status == CustomerStatus::Active)
                .map(|(id, _)| id);
            if let Some(id) = subject
                && !identities::email_code_enabled(tx, id).await?
            {
                // The owner turned e-mail codes off: answer alike, send nothing.
                subject = None;
            }
            one_time::delete_otps(tx, &email, "email_login").await?;
            let hash = code_hash(&email, &code);
            let data = json!({});
            let row = NewToken {
                hash: &hash,
                kind: "otp",
                purpose: "email_login",
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
                    EmailTemplate::SignInCode,
                    json!({ "expires_minutes": (ttl / 60).max(1), "recipient": email }),
                    json!({ "code": code }),
                )
                .await?;
                outbox::append(tx, &event).await?;
            }
            Ok(())
        })
    }

    /// Signs in with an e-mailed code: five wrong codes per account in 15 minutes — across
    /// codes, so asking for a new one does not reset the count — and a code burns after five.
    pub async fn verify_email_code(&self, cmd: &EmailCode, client: &ClientInfo) -> Result<LoginOutcome, DomainError> {
        let ctx = &self.0;
        let Some(email) = rules::normalize_email(&cmd.email) else { return Err(invalid_code()) };
        let limits = attempts::code_limits(&ctx.redis, "email_login", &email, client.ip.as_deref());
        attempts::limited(&ctx.redis, &limits, self.verify_email_code_checked(&email, &cmd.code, client)).await
    }

    async fn verify_email_code_checked(
        &self,
        email: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<LoginOutcome, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        crate::transaction!(ctx.db, |tx| {
            let Some(row) = one_time::latest_otp_for_update(tx, email, "email_login").await? else {
                return Ok(Err(invalid_code()));
            };
            let presented = code_hash(email, code.trim());
            let matches: bool = presented.ct_eq(&row.token_hash).into();
            if !matches || row.expires_at <= Utc::now() {
                let tries = one_time::bump_otp_attempts(tx, &row.token_hash).await?;
                if tries >= MAX_CODE_ATTEMPTS {
                    one_time::expire(tx, &row.token_hash).await?;
                }
                return Ok(Err(invalid_code()));
            }
            one_time::expire(tx, &row.token_hash).await?;
            let Some((user_id, status)) = users::id_and_status(tx, email).await? else {
                return Ok(Err(invalid_code()));
            };
            if !identities::email_code_enabled(tx, user_id).await? {
                return Ok(Err(invalid_code()));
            }
            if status == CustomerStatus::Banned {
                return Ok(Err(banned()));
            }
            Ok(Ok(finish_first_factor(tx, &cfg, user_id, client).await?))
        })?
    }
}
