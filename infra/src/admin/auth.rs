//! Staff sign-in and the check of every staff request. Access tokens live 15 minutes; a
//! session lives `admin-jwt.token_expiration` through rotating refresh tokens. API keys are
//! checked against their creator's CURRENT standing on every request: a key never acts above
//! the role its creator holds now, and dies with a disabled or deleted creator.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::admin::{AdminStatus, Permission, StaffLogin, StaffPrincipal};
use helium_domain::auth::commands::{Credentials, MfaStep};
use helium_domain::config::AdminJwtConfig;
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{AdminContext, internal, unauthenticated};
use super::factors::StaffFactors;
use super::store::admins;
use super::store::keys;
use super::store::sessions::{self, Rotation};
use crate::identity::password_login::{self, PasswordVerdict};
use crate::identity::tokens::{self, AccessClaims};
use crate::identity::{attempts, second_factor};

pub const ADMIN_TYP: &str = "admin";
pub const ADMIN_MFA_TYP: &str = "admin_mfa";
pub const API_KEY_PREFIX: &str = "hel_key_";
/// Lifetime of a staff access token (SECURITY: short, with refresh).
pub const ACCESS_SECS: i64 = 900;
/// Lifetime of the partial-auth token of the MFA step.
const MFA_TOKEN_SECS: i64 = 300;

fn disabled() -> DomainError {
    DomainError::rejected(ErrorCode::AccountDisabled, "this staff account is disabled")
}

fn invalid_credentials() -> DomainError {
    DomainError::rejected(ErrorCode::InvalidCredentials, "wrong e-mail or password")
}

fn sign(cfg: &AdminJwtConfig, admin_id: Uuid, sid: Uuid, typ: &str, ttl: i64) -> Result<String, DomainError> {
    let now = Utc::now().timestamp();
    let audience = if typ == ADMIN_TYP { cfg.audience.clone() } else { format!("{}_mfa", cfg.audience) };
    let claims = AccessClaims {
        iss: cfg.issuer.clone(),
        aud: audience,
        sub: admin_id.to_string(),
        sid: sid.to_string(),
        jti: Uuid::now_v7().to_string(),
        iat: now,
        nbf: now,
        exp: now + ttl,
        typ: typ.to_owned(),
    };
    tokens::sign(&claims, cfg.secret.expose()).map_err(internal)
}

/// Opens a staff session: its first refresh token and an access token.
pub(crate) async fn open_session(
    c: &mut PgConnection,
    cfg: &AdminJwtConfig,
    admin_id: Uuid,
    client: &ClientInfo,
) -> Result<StaffLogin, DomainError> {
    let sid = Uuid::now_v7();
    let refresh_token = tokens::opaque_token();
    let expires = Utc::now() + chrono::Duration::seconds(cfg.token_expiration.0 as i64);
    sessions::create(
        c,
        sid,
        admin_id,
        client.device.as_deref(),
        client.ip.as_deref(),
        expires,
        &tokens::token_hash(&refresh_token),
    )
    .await?;
    Ok(StaffLogin::Token {
        access_token: sign(cfg, admin_id, sid, ADMIN_TYP, ACCESS_SECS)?,
        expires_in: ACCESS_SECS as u64,
        refresh_token: Some(refresh_token),
    })
}

#[derive(Clone)]
pub struct StaffAuth(pub(crate) Arc<AdminContext>);

impl StaffAuth {
    /// E-mail + password within the password failure limits.
    pub async fn login(&self, cmd: &Credentials, client: &ClientInfo) -> Result<StaffLogin, DomainError> {
        let ctx = &self.0;
        let limits = attempts::password_limits(&ctx.redis, "staff:login", &cmd.email, client.ip.as_deref());
        attempts::limited(&ctx.redis, &limits, self.login_checked(cmd, client)).await
    }

    /// Disabled accounts answer 403 only after the password verified.
    async fn login_checked(&self, cmd: &Credentials, client: &ClientInfo) -> Result<StaffLogin, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.jwt_config().await?;
        let credential = match helium_domain::auth::rules::normalize_email(&cmd.email) {
            Some(email) => {
                let mut c = ctx.db.conn().await?;
                admins::credential_by_email(&mut c, &email).await?
            }
            None => None,
        };
        let stored = credential.as_ref().and_then(|a| a.password_hash.clone());
        let rehash = match password_login::check(stored, &cmd.password).await? {
            PasswordVerdict::Wrong => return Err(invalid_credentials()),
            PasswordVerdict::Right { rehash } => rehash,
        };
        let Some(admin) = credential else { return Err(invalid_credentials()) };
        crate::transaction!(ctx.db, |tx| {
            if let Some(hash) = &rehash {
                admins::set_password(tx, admin.id, hash).await?;
            }
            if admin.status != AdminStatus::Active {
                return Ok(Err(disabled()));
            }
            if admin.mfa_enabled {
                let mfa_token = sign(&cfg, admin.id, Uuid::nil(), ADMIN_MFA_TYP, MFA_TOKEN_SECS)?;
                return Ok(Ok(StaffLogin::MfaRequired { mfa_token }));
            }
            Ok(Ok(open_session(tx, &cfg, admin.id, client).await?))
        })?
    }

    /// Second sign-in step: the `admin_mfa` challenge of `login` plus a TOTP or recovery code.
    pub async fn login_mfa(&self, cmd: &MfaStep, client: &ClientInfo) -> Result<StaffLogin, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.jwt_config().await?;
        let invalid_token = || DomainError::rejected(ErrorCode::MfaTokenInvalid, "the MFA step expired; sign in again");
        let audience = format!("{}_mfa", cfg.audience);
        let claims = tokens::verify(&cmd.mfa_token, cfg.secret.expose(), &cfg.issuer, &audience, ADMIN_MFA_TYP)
            .map_err(|_| invalid_token())?;
        let admin_id: Uuid = claims.sub.parse().map_err(|_| invalid_token())?;
        let wrong = || DomainError::rejected(ErrorCode::InvalidCode, "wrong code");
        crate::transaction!(ctx.db, |tx| {
            let admin = admins::credential_by_id(tx, admin_id).await?.ok_or_else(invalid_token)?;
            if admin.status != AdminStatus::Active {
                return Err(disabled());
            }
            // A challenge issued before a revocation (role change, disable) is dead too.
            let valid_after = admins::tokens_valid_after(tx, admin_id).await?.ok_or_else(invalid_token)?;
            if claims.iat < valid_after.timestamp() {
                return Err(invalid_token());
            }
            let sealer = ctx.keys.sealer(tx).await?;
            second_factor::check(&StaffFactors, &sealer, &ctx.redis, tx, admin_id, &cmd.factor, wrong).await?;
            open_session(tx, &cfg, admin_id, client).await
        })
    }

    /// Rotates a staff refresh token; reuse of a rotated one revokes the session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<StaffLogin, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.jwt_config().await?;
        let new_refresh = tokens::opaque_token();
        let rotation = crate::transaction!(ctx.db, |tx| {
            Ok(sessions::rotate_refresh(tx, &tokens::token_hash(refresh_token), &tokens::token_hash(&new_refresh))
                .await?)
        })?;
        match rotation {
            Rotation::Rotated { admin_id, session_id } => {
                let state = {
                    let mut c = ctx.db.conn().await?;
                    sessions::state(&mut c, admin_id, session_id).await?
                };
                match state {
                    Some(s) if s.status == AdminStatus::Active => Ok(StaffLogin::Token {
                        access_token: sign(&cfg, admin_id, session_id, ADMIN_TYP, ACCESS_SECS)?,
                        expires_in: ACCESS_SECS as u64,
                        refresh_token: Some(new_refresh),
                    }),
                    Some(_) => Err(disabled()),
                    None => {
                        Err(DomainError::rejected(ErrorCode::RefreshTokenInvalid, "unknown or expired refresh token"))
                    }
                }
            }
            Rotation::Unknown => {
                Err(DomainError::rejected(ErrorCode::RefreshTokenInvalid, "unknown or expired refresh token"))
            }
            Rotation::Reused => {
                tracing::warn!("staff refresh token reuse detected; session revoked");
                Err(DomainError::rejected(
                    ErrorCode::RefreshTokenReused,
                    "refresh token reuse; the session was revoked",
                ))
            }
        }
    }

    /// Verifies a staff JWT or API key and the account behind it (revocation is immediate).
    pub async fn authenticate(&self, credential: &str) -> Result<StaffPrincipal, DomainError> {
        if credential.starts_with(API_KEY_PREFIX) {
            return self.authenticate_key(credential).await;
        }
        let ctx = &self.0;
        let cfg = ctx.jwt_config().await?;
        let claims = tokens::verify(credential, cfg.secret.expose(), &cfg.issuer, &cfg.audience, ADMIN_TYP).map_err(
            |e| match e {
                tokens::JwtError::Expired => DomainError::rejected(ErrorCode::TokenExpired, "the staff token expired"),
                tokens::JwtError::Invalid => unauthenticated(),
            },
        )?;
        let admin_id: Uuid = claims.sub.parse().map_err(|_| unauthenticated())?;
        let session_id: Uuid = claims.sid.parse().map_err(|_| unauthenticated())?;
        let state = {
            let mut c = ctx.db.conn().await?;
            sessions::state(&mut c, admin_id, session_id).await?.ok_or_else(unauthenticated)?
        };
        if !state.session_live || claims.iat < state.tokens_valid_after.timestamp() {
            return Err(unauthenticated());
        }
        if state.status != AdminStatus::Active {
            return Err(disabled());
        }
        Ok(StaffPrincipal {
            role: state.role,
            admin_id: Some(admin_id),
            session_id: Some(session_id),
            api_key_id: None,
            key_permissions: None,
            mfa_enabled: state.mfa_enabled,
        })
    }

    async fn authenticate_key(&self, key: &str) -> Result<StaffPrincipal, DomainError> {
        let mut c = self.0.db.conn().await?;
        let Some(check) = keys::by_hash(&mut c, &tokens::token_hash(key)).await? else { return Err(unauthenticated()) };
        let k = &check.key;
        let now = Utc::now();
        if k.revoked_at.is_some() || k.expires_at.is_some_and(|e| e <= now) {
            return Err(unauthenticated());
        }
        // The creator's current standing bounds the key: deleted or disabled → dead; demoted
        // below the key's role → dead (the demotion also revoked it, this is the backstop).
        let creator_ok =
            matches!((check.creator_status, check.creator_role), (Some(AdminStatus::Active), Some(r)) if k.role <= r);
        if !creator_ok {
            tracing::warn!(key = %k.id, "API key refused: its creator no longer holds its role");
            return Err(unauthenticated());
        }
        let key_permissions =
            k.permissions.as_ref().map(|list| list.iter().filter_map(|p| Permission::parse(p)).collect());
        // A write: its own short transaction (behind a pooler `c` is a read-only one), taken
        // after `c` is back in the pool.
        drop(c);
        if k.last_used_at.is_none_or(|t| now - t > chrono::Duration::seconds(60)) {
            let id = k.id;
            crate::transaction!(self.0.db, |tx| Ok(keys::touch(tx, id).await?))?;
        }
        Ok(StaffPrincipal {
            role: k.role,
            admin_id: k.created_by,
            session_id: None,
            api_key_id: Some(k.id),
            key_permissions,
            mfa_enabled: false,
        })
    }

    /// Ends this staff session.
    pub async fn logout(&self, me: &StaffPrincipal) -> Result<(), DomainError> {
        if let Some(sid) = me.session_id {
            crate::transaction!(self.0.db, |tx| Ok(sessions::revoke(tx, sid).await?))?;
        }
        Ok(())
    }

    /// Whether `me` must enable TOTP before writing: every human staff member must
    /// (SECURITY.md §1.7, "staff must use MFA"); API keys are made by such humans.
    pub fn mfa_required(&self, me: &StaffPrincipal) -> bool {
        me.api_key_id.is_none() && !me.mfa_enabled
    }
}
