//! Customer identity use cases: they combine the pure rules (helium_domain::auth), the SQL
//! store, hashing and tokens. Every error is a `DomainError` with a stable code.

use std::time::Duration;

use chrono::{DateTime, Utc};
use helium_domain::auth::rules;
use helium_domain::config::{AuthConfig, ConfigKind, ModuleConfig};
use helium_domain::events::{EmailRequested, EmailTemplate, Event, types};
use helium_domain::{DomainError, ErrorCode, FieldError};
use redis::AsyncCommands;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::store::{self, NewSession, Redeemed, Rotation, SessionRow, SessionState, UserRow};
use super::{password, tokens};
use crate::{ConfigStore, RedisHandle};

const SESSION_CACHE_SECS: u64 = 15;

#[derive(Clone)]
pub struct AuthService {
    pub pool: PgPool,
    pub config: ConfigStore,
    pub redis: RedisHandle,
    /// Base URL of the customer web app; links in e-mails point there.
    pub public_url: String,
    /// Key sealing TOTP seeds: DATA_ENCRYPTION_KEY, else generated once into `keyring`.
    pub data_key: std::sync::Arc<tokio::sync::OnceCell<[u8; 32]>>,
    /// Outbound OAuth / OIDC calls (discovery and key sets cached).
    pub oauth: super::oauth_client::OauthClient,
}

/// The `auth` module config as the config store shares it.
#[derive(Debug, Clone)]
pub struct SharedAuthConfig(std::sync::Arc<ModuleConfig>);

impl std::ops::Deref for SharedAuthConfig {
    type Target = AuthConfig;

    fn deref(&self) -> &AuthConfig {
        match &*self.0 {
            ModuleConfig::Auth(a) => a,
            // `auth_config` only wraps the Auth variant.
            _ => unreachable!("SharedAuthConfig holds the auth module"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub device: Option<String>,
    pub ip: Option<String>,
}

/// An authenticated customer request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerPrincipal {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

pub(crate) fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

pub(crate) fn db(e: sqlx::Error) -> DomainError {
    DomainError::Internal(format!("database: {e}"))
}

pub(crate) fn email_field(raw: &str) -> Result<String, DomainError> {
    rules::normalize_email(raw).ok_or_else(|| {
        DomainError::validation(vec![FieldError::new("email", "invalid_format", "not a valid e-mail address")])
    })
}

/// Serialises link/code requests per (purpose, address) in `tx` and enforces the resend
/// interval: every "send me a link/code" request starts here.
pub(super) async fn hold_address(
    tx: &mut sqlx::PgConnection,
    cfg: &AuthConfig,
    email: &str,
    purpose: &str,
) -> Result<(), DomainError> {
    store::lock_address(tx, purpose, email).await.map_err(db)?;
    let interval = cfg.email_provider.resend_interval.0 as i64;
    if let Some(wait) = store::resend_wait(tx, email, purpose, interval).await.map_err(db)? {
        return Err(DomainError::Throttled { code: ErrorCode::ResendTooSoon, retry_after_secs: wait.max(1) as u64 });
    }
    Ok(())
}

/// The Redis key counting password failures for an address (hashed: no addresses in keys).
pub(crate) fn password_attempts_key(redis: &RedisHandle, scope: &str, email_raw: &str) -> String {
    let address = email_raw.trim().to_lowercase();
    redis.key(&format!("{scope}:failures:{}", hex::encode(tokens::token_hash(&address))))
}

/// Whether a new account may be opened for `email` (closed registration, domain lists):
/// every way of signing up goes through here.
pub(super) fn registration_allowed(cfg: &AuthConfig, email: &str) -> Result<(), DomainError> {
    let domains = &cfg.email_provider.register_domain;
    if domains.enable_white_list && domains.white_list.is_empty() {
        return Err(DomainError::rejected(ErrorCode::RegistrationClosed, "registration is closed"));
    }
    if !rules::domain_allowed(domains, email) {
        return Err(DomainError::rejected(ErrorCode::EmailDomainNotAllowed, "this e-mail domain cannot register"));
    }
    Ok(())
}

pub(crate) fn email_event(to: &str, template: EmailTemplate, context: serde_json::Value) -> Result<Event, DomainError> {
    let context = match context {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    let payload = EmailRequested { to: to.to_owned(), template, context, locale: None };
    Ok(Event::new(
        Uuid::now_v7(),
        types::EMAIL_REQUESTED,
        to,
        Utc::now(),
        serde_json::to_value(payload).map_err(internal)?,
    ))
}

impl AuthService {
    /// The current `auth` module config (shared, not copied: this is on every request's path).
    pub async fn auth_config(&self) -> Result<SharedAuthConfig, DomainError> {
        match self.config.module_arc(ConfigKind::Auth).await {
            Ok(module) if matches!(*module, ModuleConfig::Auth(_)) => Ok(SharedAuthConfig(module)),
            Ok(_) => Err(internal("auth config has the wrong shape")),
            Err(e) => Err(DomainError::Unavailable(format!("auth config: {e}"))),
        }
    }

    pub(super) fn link(&self, path: &str, token: &str) -> String {
        format!("{}/{path}?token={token}", self.public_url.trim_end_matches('/'))
    }

    /// Starts registration. The answer is the same whether or not the address has an account;
    /// an existing account gets a "you already have an account" e-mail instead of a link.
    pub async fn register(&self, email_raw: &str, referral_code: Option<&str>) -> Result<(), DomainError> {
        let email = email_field(email_raw)?;
        if let Some(code) = referral_code
            && !rules::referral_code_well_formed(code)
        {
            return Err(DomainError::validation(vec![FieldError::new(
                "referral_code",
                "invalid_format",
                "4-32 letters, digits, '-' or '_'",
            )]));
        }
        let cfg = self.auth_config().await?;
        registration_allowed(&cfg, &email)?;
        let token = tokens::opaque_token();
        let ttl = cfg.email_provider.magic_link_expire_after.0;
        let mut tx = self.pool.begin().await.map_err(db)?;
        hold_address(&mut tx, &cfg, &email, "register").await?;
        let exists = store::user_exists(&mut tx, &email).await.map_err(db)?;
        // A token row exists in both cases so the resend interval and the work done match.
        let data = json!({ "referral_code": referral_code });
        let expires = Utc::now() + chrono::Duration::seconds(ttl as i64);
        store::insert_one_time_token(
            &mut tx,
            &tokens::token_hash(&token),
            "magic_link",
            "register",
            &email,
            None,
            expires,
            &data,
        )
        .await
        .map_err(db)?;
        let event = if exists {
            email_event(
                &email,
                EmailTemplate::RegisterExistingAccount,
                json!({ "sign_in_url": format!("{}/login", self.public_url.trim_end_matches('/')),
                        "reset_url": format!("{}/password/forgot", self.public_url.trim_end_matches('/')),
                        "recipient": email }),
            )?
        } else {
            email_event(
                &email,
                EmailTemplate::RegisterMagicLink,
                json!({ "link": self.link("register/complete", &token), "expires_minutes": ttl / 60, "recipient": email }),
            )?
        };
        store::emit(&mut tx, &event).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    pub(crate) fn check_password(field: &str, password: &str, email: Option<&str>) -> Result<(), DomainError> {
        let errors = rules::check_password(field, password, email);
        if errors.is_empty() { Ok(()) } else { Err(DomainError::validation(errors)) }
    }

    /// Completes registration from the e-mailed link; with auto-login, signs the user in.
    pub async fn complete_registration(
        &self,
        token: &str,
        password_raw: &str,
        client: &ClientInfo,
    ) -> Result<(UserRow, TokenPair), DomainError> {
        Self::check_password("password", password_raw, None)?;
        let hash = tokens::token_hash(token);
        let email = match store::peek_link(&self.pool, &hash, "register").await.map_err(db)? {
            None => {
                return Err(DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used"));
            }
            Some((_, true)) => {
                return Err(DomainError::rejected(ErrorCode::LinkExpired, "this link has expired; register again"));
            }
            Some((email, false)) => email,
        };
        Self::check_password("password", password_raw, Some(&email))?;
        let cfg = self.auth_config().await?;
        let password_hash = password::hash(password_raw.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let (email, data) = match store::redeem_link(&mut tx, &hash, "register").await.map_err(db)? {
            Redeemed::Ok { email, data } => (email, data),
            Redeemed::Expired => {
                tx.commit().await.map_err(db)?;
                return Err(DomainError::rejected(ErrorCode::LinkExpired, "this link has expired; register again"));
            }
            Redeemed::Unknown => {
                return Err(DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used"));
            }
        };
        let referral = data.get("referral_code").and_then(|v| v.as_str());
        let Some(user) =
            store::insert_user(&mut tx, Uuid::now_v7(), &email, Some(&password_hash), referral).await.map_err(db)?
        else {
            return Err(DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used"));
        };
        let registered = Event::new(
            Uuid::now_v7(),
            types::USER_REGISTERED,
            user.id.to_string(),
            Utc::now(),
            json!({ "user_id": user.id, "referral_code": referral }),
        );
        store::emit(&mut tx, &registered).await.map_err(db)?;
        let pair = self.open_session(&mut tx, &cfg, user.id, client).await?;
        tx.commit().await.map_err(db)?;
        Ok((user, pair))
    }

    pub(super) async fn open_session(
        &self,
        tx: &mut sqlx::PgConnection,
        cfg: &AuthConfig,
        user_id: Uuid,
        client: &ClientInfo,
    ) -> Result<TokenPair, DomainError> {
        let refresh = tokens::opaque_token();
        let session = NewSession {
            id: Uuid::now_v7(),
            user_id,
            device: client.device.clone().map(|d| d.chars().take(200).collect()),
            ip: client.ip.clone(),
            refresh_hash: tokens::token_hash(&refresh),
            refresh_expires_at: Utc::now() + chrono::Duration::seconds(cfg.jwt.refresh_token_expiration.0 as i64),
        };
        store::create_session(tx, &session).await.map_err(db)?;
        let signed_in = Event::new(
            Uuid::now_v7(),
            types::USER_SIGNED_IN,
            user_id.to_string(),
            Utc::now(),
            json!({ "user_id": user_id, "session_id": session.id, "ip": client.ip }),
        );
        store::emit(tx, &signed_in).await.map_err(db)?;
        self.issue(cfg, user_id, session.id, refresh, session.refresh_expires_at)
    }

    fn issue(
        &self,
        cfg: &AuthConfig,
        user_id: Uuid,
        session_id: Uuid,
        refresh_token: String,
        refresh_expires_at: DateTime<Utc>,
    ) -> Result<TokenPair, DomainError> {
        let now = Utc::now().timestamp();
        let ttl = cfg.jwt.access_token_expiration.0;
        let claims = tokens::AccessClaims {
            iss: cfg.jwt.issuer.clone(),
            aud: cfg.jwt.access_audience.clone(),
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            jti: Uuid::now_v7().to_string(),
            iat: now,
            nbf: now,
            exp: now + ttl as i64,
            typ: tokens::ACCESS_TYP.to_owned(),
        };
        let access_token = tokens::sign(&claims, cfg.jwt.secret.expose()).map_err(internal)?;
        Ok(TokenPair { access_token, expires_in: ttl, refresh_token, refresh_expires_at })
    }

    /// E-mail + password sign-in, at most `attempts::PASSWORD` failures per address and
    /// window (counted before any hashing; unknown addresses are counted alike).
    pub async fn login(
        &self,
        email_raw: &str,
        password_raw: &str,
        client: &ClientInfo,
    ) -> Result<super::mfa::LoginOutcome, DomainError> {
        let key = password_attempts_key(&self.redis, "login", email_raw);
        super::attempts::allow(&self.redis, &key, super::attempts::PASSWORD).await?;
        let result = self.login_checked(email_raw, password_raw, client).await;
        super::attempts::settle(&self.redis, &key, &result).await;
        result
    }

    /// E-mail + password sign-in. Unknown addresses cost the same as wrong passwords.
    async fn login_checked(
        &self,
        email_raw: &str,
        password_raw: &str,
        client: &ClientInfo,
    ) -> Result<super::mfa::LoginOutcome, DomainError> {
        let invalid = || DomainError::rejected(ErrorCode::InvalidCredentials, "wrong e-mail or password");
        if password_raw.chars().count() > 128 {
            return Err(invalid());
        }
        let Some(email) = rules::normalize_email(email_raw) else {
            password::dummy_verify(password_raw.to_owned()).await.map_err(internal)?;
            return Err(invalid());
        };
        let cfg = self.auth_config().await?;
        let user = store::user_by_email(&self.pool, &email).await.map_err(db)?;
        let Some((user, stored)) = user.and_then(|u| u.password_hash.clone().map(|h| (u, h))) else {
            password::dummy_verify(password_raw.to_owned()).await.map_err(internal)?;
            return Err(invalid());
        };
        match password::verify(stored, password_raw.to_owned()).await.map_err(internal)? {
            password::Verified::No => return Err(invalid()),
            password::Verified::YesNeedsRehash => {
                let new_hash = password::hash(password_raw.to_owned()).await.map_err(internal)?;
                store::update_password_hash(&self.pool, user.id, &new_hash).await.map_err(db)?;
            }
            password::Verified::Yes => {}
        }
        if user.status == "banned" {
            return Err(DomainError::rejected(ErrorCode::AccountBanned, "this account is banned"));
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        let outcome = self.finish_first_factor(&mut tx, &cfg, user.id, client).await?;
        tx.commit().await.map_err(db)?;
        Ok(outcome)
    }

    /// Rotates a refresh token; reuse of a rotated one revokes the whole session.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, DomainError> {
        let cfg = self.auth_config().await?;
        let new_refresh = tokens::opaque_token();
        match store::rotate_refresh(&self.pool, &tokens::token_hash(refresh_token), &tokens::token_hash(&new_refresh))
            .await
            .map_err(db)?
        {
            Rotation::Rotated { user_id, session_id, refresh_expires_at, user_status } => {
                if user_status == "banned" {
                    return Err(DomainError::rejected(ErrorCode::AccountBanned, "this account is banned"));
                }
                self.issue(&cfg, user_id, session_id, new_refresh, refresh_expires_at)
            }
            Rotation::Unknown => {
                Err(DomainError::rejected(ErrorCode::RefreshTokenInvalid, "unknown or expired refresh token"))
            }
            Rotation::Reused { session_id } => {
                self.forget_sessions(&[session_id]).await;
                tracing::warn!(%session_id, "refresh token reuse detected; session revoked");
                Err(DomainError::rejected(
                    ErrorCode::RefreshTokenReused,
                    "refresh token reuse; the session was revoked",
                ))
            }
        }
    }

    /// Verifies an access token and checks its session and user are still good. The check is
    /// cached in Redis by session id; without Redis it asks PostgreSQL (never "allow").
    pub async fn authenticate(&self, access_token: &str) -> Result<CustomerPrincipal, DomainError> {
        let unauthenticated = || DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use this operation");
        let cfg = self.auth_config().await?;
        let claims = tokens::verify(
            access_token,
            cfg.jwt.secret.expose(),
            &cfg.jwt.issuer,
            &cfg.jwt.access_audience,
            tokens::ACCESS_TYP,
        )
        .map_err(|e| match e {
            tokens::JwtError::Expired => {
                DomainError::rejected(ErrorCode::TokenExpired, "the access token expired; refresh it")
            }
            tokens::JwtError::Invalid => unauthenticated(),
        })?;
        let (Ok(user_id), Ok(session_id)) = (claims.sub.parse::<Uuid>(), claims.sid.parse::<Uuid>()) else {
            return Err(unauthenticated());
        };
        let state = self.session_state(session_id).await?.ok_or_else(unauthenticated)?;
        if state.user_id != user_id || !state.session_live || claims.iat < state.tokens_valid_after.timestamp() {
            return Err(unauthenticated());
        }
        if state.user_status == "banned" {
            return Err(DomainError::rejected(ErrorCode::AccountBanned, "this account is banned"));
        }
        Ok(CustomerPrincipal { user_id, session_id })
    }

    fn session_key(&self, session_id: Uuid) -> String {
        self.redis.key(&format!("sess:{session_id}"))
    }

    async fn session_state(&self, session_id: Uuid) -> Result<Option<SessionState>, DomainError> {
        let key = self.session_key(session_id);
        let cached = tokio::time::timeout(Duration::from_millis(200), async {
            let mut conn = self.redis.conn().await?;
            let raw: Option<String> = conn.get(&key).await?;
            anyhow::Ok(raw)
        })
        .await;
        if let Ok(Ok(Some(raw))) = cached
            && let Ok(state) = serde_json::from_str::<SessionState>(&raw)
        {
            return Ok(Some(state));
        }
        let state = store::session_state(&self.pool, session_id).await.map_err(db)?;
        if let Some(s) = &state
            && let Ok(raw) = serde_json::to_string(s)
        {
            let _ = tokio::time::timeout(Duration::from_millis(200), async {
                let mut conn = self.redis.conn().await?;
                conn.set_ex::<_, _, ()>(&key, raw, SESSION_CACHE_SECS).await?;
                anyhow::Ok(())
            })
            .await;
        }
        Ok(state)
    }

    /// Drops cached session checks so a revocation takes effect on the next request.
    pub(super) async fn forget_sessions(&self, ids: &[Uuid]) {
        if ids.is_empty() {
            return;
        }
        self.drop_cached(ids).await;
        // A request that read the old state from PostgreSQL just before the revocation
        // committed may re-cache it after the first delete: delete once more shortly after.
        let again = self.clone();
        let ids = ids.to_vec();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            again.drop_cached(&ids).await;
        });
    }

    async fn drop_cached(&self, ids: &[Uuid]) {
        let keys: Vec<String> = ids.iter().map(|id| self.session_key(*id)).collect();
        let result = tokio::time::timeout(Duration::from_millis(300), async {
            let mut conn = self.redis.conn().await?;
            conn.del::<_, ()>(keys).await?;
            anyhow::Ok(())
        })
        .await;
        if !matches!(result, Ok(Ok(()))) {
            tracing::warn!("could not drop cached session checks; they expire within 30 s");
        }
    }

    pub async fn list_sessions(&self, user_id: Uuid) -> Result<Vec<SessionRow>, DomainError> {
        store::list_sessions(&self.pool, user_id).await.map_err(db)
    }

    /// Revokes one of the caller's sessions; another user's session is "not found".
    pub async fn revoke_session(&self, user_id: Uuid, session_id: Uuid) -> Result<(), DomainError> {
        if !store::revoke_session(&self.pool, user_id, session_id, "user_revoked").await.map_err(db)? {
            return Err(DomainError::rejected(ErrorCode::NotFound, "no such session"));
        }
        self.forget_sessions(&[session_id]).await;
        Ok(())
    }

    /// Ends every session, and makes every access token already issued invalid at once.
    pub async fn logout_all(&self, user_id: Uuid) -> Result<(), DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let ids = store::revoke_all_sessions(&mut tx, user_id, None, "logout_all").await.map_err(db)?;
        store::bump_tokens_valid_after(&mut tx, user_id).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        self.forget_sessions(&ids).await;
        Ok(())
    }

    pub async fn me(&self, user_id: Uuid) -> Result<UserRow, DomainError> {
        store::user_by_id(&self.pool, user_id)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use this operation"))
    }

    pub async fn update_me(
        &self,
        user_id: Uuid,
        display_name: Option<Option<String>>,
        locale: Option<Option<String>>,
        timezone: Option<Option<String>>,
    ) -> Result<UserRow, DomainError> {
        store::update_profile(&self.pool, user_id, display_name, locale, timezone)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use this operation"))
    }
}
