//! The second-factor check customers and staff share: a TOTP code (each 30 s step accepted
//! once, a replay told apart from a wrong code) or a single-use recovery code. Only where the
//! seed and codes live differs, behind `FactorStore`.

use chrono::Utc;
use helium_domain::{DomainError, ErrorCode};
use sqlx::PgConnection;
use uuid::Uuid;

use super::mfa::SecondFactor;
use super::mfa_store::TotpRow;
use super::service::{db, internal};
use super::{attempts, mfa_store, password, totp};
use crate::RedisHandle;

/// Where one kind of account keeps its TOTP seed and recovery codes.
pub(crate) trait FactorStore {
    async fn totp(&self, tx: &mut PgConnection, owner: Uuid) -> Result<Option<TotpRow>, sqlx::Error>;
    async fn use_step(&self, tx: &mut PgConnection, owner: Uuid, step: i64) -> Result<bool, sqlx::Error>;
    async fn unused_recovery_codes(
        &self,
        tx: &mut PgConnection,
        owner: Uuid,
    ) -> Result<Vec<(Uuid, String)>, sqlx::Error>;
    async fn spend_recovery_code(&self, tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error>;
    async fn replace_recovery_codes(
        &self,
        tx: &mut PgConnection,
        owner: Uuid,
        hashes: &[String],
    ) -> Result<(), sqlx::Error>;
    /// Where failed checks of `owner` are counted (`attempts::SECOND_FACTOR`).
    fn failures_key(&self, redis: &RedisHandle, owner: Uuid) -> String;
}

/// Customers: `auth.totp`, `auth.recovery_codes`.
pub(crate) struct CustomerFactors;

impl FactorStore for CustomerFactors {
    async fn totp(&self, tx: &mut PgConnection, owner: Uuid) -> Result<Option<TotpRow>, sqlx::Error> {
        mfa_store::totp(&mut *tx, owner).await
    }
    async fn use_step(&self, tx: &mut PgConnection, owner: Uuid, step: i64) -> Result<bool, sqlx::Error> {
        mfa_store::use_step(tx, owner, step).await
    }
    async fn unused_recovery_codes(
        &self,
        tx: &mut PgConnection,
        owner: Uuid,
    ) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        mfa_store::unused_recovery_codes(&mut *tx, owner).await
    }
    async fn spend_recovery_code(&self, tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
        mfa_store::spend_recovery_code(tx, id).await
    }
    async fn replace_recovery_codes(
        &self,
        tx: &mut PgConnection,
        owner: Uuid,
        hashes: &[String],
    ) -> Result<(), sqlx::Error> {
        mfa_store::replace_recovery_codes(tx, owner, hashes).await
    }
    fn failures_key(&self, redis: &RedisHandle, owner: Uuid) -> String {
        redis.key(&format!("mfa:failures:{owner}"))
    }
}

/// Staff: `staff.totp`, `staff.recovery_codes`.
pub(crate) struct StaffFactors;

impl FactorStore for StaffFactors {
    async fn totp(&self, tx: &mut PgConnection, owner: Uuid) -> Result<Option<TotpRow>, sqlx::Error> {
        crate::staff::mfa_store::totp(&mut *tx, owner).await
    }
    async fn use_step(&self, tx: &mut PgConnection, owner: Uuid, step: i64) -> Result<bool, sqlx::Error> {
        crate::staff::mfa_store::use_step(tx, owner, step).await
    }
    async fn unused_recovery_codes(
        &self,
        tx: &mut PgConnection,
        owner: Uuid,
    ) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        crate::staff::mfa_store::unused_recovery_codes(&mut *tx, owner).await
    }
    async fn spend_recovery_code(&self, tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
        crate::staff::mfa_store::spend_recovery_code(tx, id).await
    }
    async fn replace_recovery_codes(
        &self,
        tx: &mut PgConnection,
        owner: Uuid,
        hashes: &[String],
    ) -> Result<(), sqlx::Error> {
        crate::staff::mfa_store::replace_recovery_codes(tx, owner, hashes).await
    }
    fn failures_key(&self, redis: &RedisHandle, owner: Uuid) -> String {
        redis.key(&format!("staff:mfa:failures:{owner}"))
    }
}

fn already_used(what: &str) -> DomainError {
    DomainError::rejected(ErrorCode::CodeAlreadyUsed, format!("this {what} was already used"))
}

/// Checks `factor` for `owner` within the attempt limit (`attempts::SECOND_FACTOR`) and
/// records its use in `tx`; `wrong` is the caller's answer to a code that does not match (401
/// at sign-in, 403 when re-authenticating).
pub(crate) async fn check(
    store: &impl FactorStore,
    cipher: &totp::SeedCipher,
    redis: &RedisHandle,
    tx: &mut PgConnection,
    owner: Uuid,
    factor: &SecondFactor<'_>,
    wrong: fn() -> DomainError,
) -> Result<(), DomainError> {
    let key = store.failures_key(redis, owner);
    attempts::allow(redis, &key, attempts::SECOND_FACTOR).await?;
    let result = verify(store, cipher, tx, owner, factor, wrong).await;
    attempts::settle(redis, &key, &result).await;
    result
}

/// Ten new recovery codes for `owner` (the old ones die); only their Argon2id hashes are kept.
pub(crate) async fn new_recovery_codes(
    store: &impl FactorStore,
    tx: &mut PgConnection,
    owner: Uuid,
) -> Result<Vec<String>, DomainError> {
    let codes = totp::new_recovery_codes();
    let mut hashes = Vec::with_capacity(codes.len());
    for code in &codes {
        hashes.push(password::hash(totp::normalize_recovery_code(code)).await.map_err(internal)?);
    }
    store.replace_recovery_codes(tx, owner, &hashes).await.map_err(db)?;
    Ok(codes)
}

async fn verify(
    store: &impl FactorStore,
    cipher: &totp::SeedCipher,
    tx: &mut PgConnection,
    owner: Uuid,
    factor: &SecondFactor<'_>,
    wrong: fn() -> DomainError,
) -> Result<(), DomainError> {
    let row = store.totp(tx, owner).await.map_err(db)?.filter(|r| r.enabled);
    let Some(row) = row else { return Err(DomainError::rejected(ErrorCode::MfaNotEnabled, "MFA is not enabled")) };
    match factor {
        SecondFactor::Code(code) => {
            let seed = cipher.open(&row.secret, owner.as_bytes()).map_err(internal)?;
            let now = Utc::now().timestamp().max(0) as u64;
            let last = row.last_step.map(|s| s.max(0) as u64);
            match totp::matching_step(&seed, code, now, last) {
                Some(step) if store.use_step(tx, owner, step as i64).await.map_err(db)? => Ok(()),
                Some(_) => Err(already_used("code")),
                None if totp::matching_step(&seed, code, now, None).is_some() => {
                    tracing::warn!(%owner, "TOTP code replay refused");
                    Err(already_used("code"))
                }
                None => Err(wrong()),
            }
        }
        SecondFactor::Recovery(code) => {
            let presented = totp::normalize_recovery_code(code);
            for (id, hash) in store.unused_recovery_codes(tx, owner).await.map_err(db)? {
                if password::verify(hash, presented.clone()).await.map_err(internal)? != password::Verified::No {
                    return if store.spend_recovery_code(tx, id).await.map_err(db)? {
                        Ok(())
                    } else {
                        Err(already_used("recovery code"))
                    };
                }
            }
            Err(wrong())
        }
    }
}
