//! TOTP MFA use cases: setup, enable (with recovery codes), disable, regenerate, and the
//! second sign-in step. Sign-ins of an account with MFA on answer an MFA challenge (a short
//! `mfa` token) instead of tokens; only `login_mfa` accepts that token.

use chrono::Utc;
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::second_factor::{self, CustomerFactors};
use super::service::{AuthService, ClientInfo, CustomerPrincipal, TokenPair, db, email_event, internal};
use super::{mfa_store, password, store, tokens, totp};

/// Lifetime of the partial-auth token (SECURITY.md §1.7).
pub const MFA_TOKEN_SECS: i64 = 300;
pub const MFA_TYP: &str = "mfa";

/// The result of a first sign-in step.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    Tokens(TokenPair),
    MfaRequired { mfa_token: String },
}

pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// A second factor as presented: a TOTP code or a recovery code.
pub enum SecondFactor<'a> {
    Code(&'a str),
    Recovery(&'a str),
}

fn reauth() -> DomainError {
    DomainError::rejected(ErrorCode::ReauthFailed, "the code or password did not verify")
}

/// The cipher of TOTP seeds, customer and staff alike: keyring key `totp-seed-v1`, generated
/// on first use and then kept in `key`.
pub(crate) async fn seed_cipher(
    pool: &sqlx::PgPool,
    key: &tokio::sync::OnceCell<[u8; 32]>,
) -> Result<totp::SeedCipher, DomainError> {
    let key = key
        .get_or_try_init(|| async {
            let mut fresh = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
            let stored = mfa_store::keyring_key(pool, "totp-seed-v1", &fresh).await.map_err(db)?;
            <[u8; 32]>::try_from(stored.as_slice()).map_err(|_| internal("keyring key has the wrong length"))
        })
        .await?;
    Ok(totp::SeedCipher::new(key))
}

impl AuthService {
    async fn cipher(&self) -> Result<totp::SeedCipher, DomainError> {
        seed_cipher(&self.pool, &self.data_key).await
    }

    fn mfa_audience(cfg: &helium_domain::config::AuthConfig) -> String {
        format!("{}_mfa", cfg.jwt.access_audience)
    }

    /// After the first factor: tokens, or a challenge when the account has MFA on.
    pub(super) async fn finish_first_factor(
        &self,
        tx: &mut sqlx::PgConnection,
        cfg: &helium_domain::config::AuthConfig,
        user_id: Uuid,
        client: &ClientInfo,
    ) -> Result<LoginOutcome, DomainError> {
        if mfa_store::mfa_enabled(&mut *tx, user_id).await.map_err(db)? {
            let now = Utc::now().timestamp();
            let claims = tokens::AccessClaims {
                iss: cfg.jwt.issuer.clone(),
                aud: Self::mfa_audience(cfg),
                sub: user_id.to_string(),
                sid: String::new(),
                jti: Uuid::now_v7().to_string(),
                iat: now,
                nbf: now,
                exp: now + MFA_TOKEN_SECS,
                typ: MFA_TYP.to_owned(),
            };
            let mfa_token = tokens::sign(&claims, cfg.jwt.secret.expose()).map_err(internal)?;
            return Ok(LoginOutcome::MfaRequired { mfa_token });
        }
        Ok(LoginOutcome::Tokens(self.open_session(tx, cfg, user_id, client).await?))
    }

    /// Checks a second factor (throttled per account) and records its use in `tx`.
    async fn check_second_factor(
        &self,
        tx: &mut sqlx::PgConnection,
        user_id: Uuid,
        factor: &SecondFactor<'_>,
        wrong: fn() -> DomainError,
    ) -> Result<(), DomainError> {
        let cipher = self.cipher().await?;
        second_factor::check(&CustomerFactors, &cipher, &self.redis, tx, user_id, factor, wrong).await
    }

    /// Second sign-in step: the challenge token plus a TOTP or recovery code.
    pub async fn login_mfa(
        &self,
        mfa_token: &str,
        factor: SecondFactor<'_>,
        client: &ClientInfo,
    ) -> Result<TokenPair, DomainError> {
        let cfg = self.auth_config().await?;
        let invalid_token = || DomainError::rejected(ErrorCode::MfaTokenInvalid, "the MFA step expired; sign in again");
        let claims =
            tokens::verify(mfa_token, cfg.jwt.secret.expose(), &cfg.jwt.issuer, &Self::mfa_audience(&cfg), MFA_TYP)
                .map_err(|_| invalid_token())?;
        let user_id: Uuid = claims.sub.parse().map_err(|_| invalid_token())?;
        let user = store::user_by_id(&self.pool, user_id).await.map_err(db)?.ok_or_else(invalid_token)?;
        if user.status == "banned" {
            return Err(DomainError::rejected(ErrorCode::AccountBanned, "this account is banned"));
        }
        // A challenge issued before "sign out everywhere" or a reset is dead too.
        let valid_after =
            mfa_store::tokens_valid_after(&self.pool, user_id).await.map_err(db)?.ok_or_else(invalid_token)?;
        if claims.iat < valid_after.timestamp() {
            return Err(invalid_token());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        self.check_second_factor(&mut tx, user_id, &factor, || {
            DomainError::rejected(ErrorCode::InvalidCode, "wrong code")
        })
        .await?;
        let pair = self.open_session(&mut tx, &cfg, user_id, client).await?;
        tx.commit().await.map_err(db)?;
        Ok(pair)
    }

    /// A new pending seed; shown once. Enabling needs a code from it.
    pub async fn setup_totp(&self, me: CustomerPrincipal) -> Result<TotpSetup, DomainError> {
        let cfg = self.auth_config().await?;
        let user = self.me(me.user_id).await?;
        let seed = totp::new_seed();
        let sealed = self.cipher().await?.seal(&seed, me.user_id.as_bytes()).map_err(internal)?;
        if !mfa_store::put_pending(&self.pool, me.user_id, &sealed).await.map_err(db)? {
            return Err(DomainError::rejected(ErrorCode::MfaAlreadyEnabled, "MFA is already enabled"));
        }
        let issuer = cfg.jwt.issuer.trim_start_matches("https://").trim_start_matches("http://").to_owned();
        Ok(TotpSetup {
            secret: totp::base32(&seed),
            otpauth_uri: totp::otpauth_uri(&seed, &issuer, &user.email).map_err(internal)?,
        })
    }

    async fn mfa_changed(
        &self,
        tx: &mut sqlx::PgConnection,
        user_id: Uuid,
        email: &str,
        enabled: bool,
    ) -> Result<(), DomainError> {
        let event = Event::new(
            Uuid::now_v7(),
            types::USER_MFA_CHANGED,
            user_id.to_string(),
            Utc::now(),
            json!({ "user_id": user_id, "enabled": enabled }),
        );
        store::emit(tx, &event).await.map_err(db)?;
        let notice = email_event(
            email,
            EmailTemplate::SecurityMfaChanged,
            json!({ "enabled": enabled, "occurred_at": Utc::now().to_rfc3339(), "recipient": email }),
        )?;
        store::emit(tx, &notice).await.map_err(db)
    }

    /// Turns MFA on with a code from the pending seed; returns ten recovery codes (shown once)
    /// and ends the other sessions.
    pub async fn enable_totp(&self, me: CustomerPrincipal, code: &str) -> Result<Vec<String>, DomainError> {
        let user = self.me(me.user_id).await?;
        let row = mfa_store::totp(&self.pool, me.user_id).await.map_err(db)?;
        let Some(row) = row else {
            return Err(DomainError::rejected(ErrorCode::MfaSetupRequired, "set up TOTP first"));
        };
        if row.enabled {
            return Err(DomainError::rejected(ErrorCode::MfaAlreadyEnabled, "MFA is already enabled"));
        }
        let seed = self.cipher().await?.open(&row.secret, me.user_id.as_bytes()).map_err(internal)?;
        let now = Utc::now().timestamp().max(0) as u64;
        let Some(step) = totp::matching_step(&seed, code, now, None) else { return Err(reauth()) };
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !mfa_store::use_step(&mut tx, me.user_id, step as i64).await.map_err(db)?
            || !mfa_store::enable(&mut tx, me.user_id).await.map_err(db)?
        {
            return Err(DomainError::rejected(ErrorCode::MfaAlreadyEnabled, "MFA is already enabled"));
        }
        let codes = second_factor::new_recovery_codes(&CustomerFactors, &mut tx, me.user_id).await?;
        let revoked =
            store::revoke_all_sessions(&mut tx, me.user_id, Some(me.session_id), "mfa_enabled").await.map_err(db)?;
        self.mfa_changed(&mut tx, me.user_id, &user.email, true).await?;
        tx.commit().await.map_err(db)?;
        self.forget_sessions(&revoked).await;
        Ok(codes)
    }

    /// Turns MFA off: needs the password and a code (or recovery code); ends other sessions.
    pub async fn disable_totp(
        &self,
        me: CustomerPrincipal,
        factor: SecondFactor<'_>,
        password_raw: &str,
    ) -> Result<(), DomainError> {
        let user = self.me(me.user_id).await?;
        let Some(stored) = user.password_hash.clone() else { return Err(reauth()) };
        if password::verify(stored, password_raw.to_owned()).await.map_err(internal)? == password::Verified::No {
            return Err(reauth());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        self.check_second_factor(&mut tx, me.user_id, &factor, reauth).await?;
        mfa_store::remove(&mut tx, me.user_id).await.map_err(db)?;
        let revoked =
            store::revoke_all_sessions(&mut tx, me.user_id, Some(me.session_id), "mfa_disabled").await.map_err(db)?;
        self.mfa_changed(&mut tx, me.user_id, &user.email, false).await?;
        tx.commit().await.map_err(db)?;
        self.forget_sessions(&revoked).await;
        Ok(())
    }

    /// New recovery codes (the old ones die), after a TOTP code.
    pub async fn regenerate_recovery_codes(
        &self,
        me: CustomerPrincipal,
        code: &str,
    ) -> Result<Vec<String>, DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        self.check_second_factor(&mut tx, me.user_id, &SecondFactor::Code(code), reauth).await?;
        let codes = second_factor::new_recovery_codes(&CustomerFactors, &mut tx, me.user_id).await?;
        tx.commit().await.map_err(db)?;
        Ok(codes)
    }
}
