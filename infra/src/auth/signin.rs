//! The end of every successful first sign-in step: an MFA challenge when the account has TOTP
//! on, else a new session with its access and refresh tokens. Also the JWTs of this realm.

use chrono::{DateTime, Utc};
use helium_domain::auth::{LoginOutcome, TokenPair};
use helium_domain::config::AuthConfig;
use helium_domain::events::{Event, types};
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::internal;
use super::store::{mfa, sessions};
use crate::events::outbox;
use crate::identity::tokens::{self, AccessClaims};

/// Lifetime of the partial-auth token (SECURITY.md §1.7).
pub const MFA_TOKEN_SECS: i64 = 300;
pub const MFA_TYP: &str = "mfa";

pub fn mfa_audience(cfg: &AuthConfig) -> String {
    format!("{}_mfa", cfg.jwt.access_audience)
}

/// A signed JWT of this realm: `typ` and `audience` say what it is good for.
pub fn sign(
    cfg: &AuthConfig,
    user_id: Uuid,
    sid: &str,
    typ: &str,
    audience: String,
    ttl: i64,
) -> Result<String, DomainError> {
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        iss: cfg.jwt.issuer.clone(),
        aud: audience,
        sub: user_id.to_string(),
        sid: sid.to_owned(),
        jti: Uuid::now_v7().to_string(),
        iat: now,
        nbf: now,
        exp: now + ttl,
        typ: typ.to_owned(),
    };
    tokens::sign(&claims, cfg.jwt.secret.expose()).map_err(internal)
}

/// After the first factor: tokens, or a challenge when the account has MFA on.
pub async fn finish_first_factor(
    c: &mut PgConnection,
    cfg: &AuthConfig,
    user_id: Uuid,
    client: &ClientInfo,
) -> Result<LoginOutcome, DomainError> {
    if mfa::enabled(c, user_id).await? {
        let mfa_token = sign(cfg, user_id, "", MFA_TYP, mfa_audience(cfg), MFA_TOKEN_SECS)?;
        return Ok(LoginOutcome::MfaRequired { mfa_token });
    }
    Ok(LoginOutcome::Tokens(open_session(c, cfg, user_id, client).await?))
}

/// A new session (its first refresh token stored hashed) and its access token.
pub async fn open_session(
    c: &mut PgConnection,
    cfg: &AuthConfig,
    user_id: Uuid,
    client: &ClientInfo,
) -> Result<TokenPair, DomainError> {
    let refresh = tokens::opaque_token();
    let session = sessions::NewSession {
        id: Uuid::now_v7(),
        user_id,
        device: client.device.clone(),
        ip: client.ip.clone(),
        refresh_hash: tokens::token_hash(&refresh),
        refresh_expires_at: Utc::now() + chrono::Duration::seconds(cfg.jwt.refresh_token_expiration.0 as i64),
    };
    sessions::create(c, &session).await?;
    let signed_in = Event::new(
        Uuid::now_v7(),
        types::USER_SIGNED_IN,
        user_id.to_string(),
        Utc::now(),
        json!({ "user_id": user_id, "session_id": session.id, "ip": client.ip }),
    );
    outbox::append(c, &signed_in).await?;
    issue(cfg, user_id, session.id, refresh, session.refresh_expires_at)
}

/// An access token for a session, paired with its current refresh token.
pub fn issue(
    cfg: &AuthConfig,
    user_id: Uuid,
    session_id: Uuid,
    refresh_token: String,
    refresh_expires_at: DateTime<Utc>,
) -> Result<TokenPair, DomainError> {
    let ttl = cfg.jwt.access_token_expiration.0;
    let access_token =
        sign(cfg, user_id, &session_id.to_string(), tokens::ACCESS_TYP, cfg.jwt.access_audience.clone(), ttl as i64)?;
    Ok(TokenPair { access_token, expires_in: ttl, refresh_token, refresh_expires_at })
}

/// Verifies a JWT of this realm with `typ` and `audience`; `expired` and `invalid` are the
/// caller's errors for those two failures.
pub fn verify(
    cfg: &AuthConfig,
    token: &str,
    typ: &str,
    audience: &str,
    expired: fn() -> DomainError,
    invalid: fn() -> DomainError,
) -> Result<AccessClaims, DomainError> {
    tokens::verify(token, cfg.jwt.secret.expose(), &cfg.jwt.issuer, audience, typ).map_err(|e| match e {
        tokens::JwtError::Expired => expired(),
        tokens::JwtError::Invalid => invalid(),
    })
}

pub fn banned() -> DomainError {
    DomainError::rejected(ErrorCode::AccountBanned, "this account is banned")
}
