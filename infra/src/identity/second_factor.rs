//! The second-factor check customers and staff share: a TOTP code (each 30 s step accepted
//! once, a replay told apart from a wrong code) or a single-use recovery code, at most
//! `attempts::SECOND_FACTOR` failures per account. Only where the seed and codes live differs,
//! behind [`FactorStore`] (implemented by `auth` for customers and `admin` for staff).

use chrono::Utc;
use helium_domain::auth::commands::SecondFactor;
use helium_domain::{DomainError, ErrorCode};
use sqlx::PgConnection;
use uuid::Uuid;

use super::seal::Sealer;
use super::{attempts, password, totp};
use crate::RedisHandle;
use crate::db::DbResult;

/// A TOTP seed as stored: sealed, with its replay guard.
#[derive(Debug, Clone)]
pub struct TotpRow {
    pub secret: String,
    pub enabled: bool,
    pub last_step: Option<i64>,
}

/// Where one kind of account keeps its TOTP seed and recovery codes.
pub(crate) trait FactorStore {
    async fn totp(&self, c: &mut PgConnection, owner: Uuid) -> DbResult<Option<TotpRow>>;
    /// Records `step` as used; false when it (or a later one) was used already.
    async fn use_step(&self, c: &mut PgConnection, owner: Uuid, step: i64) -> DbResult<bool>;
    async fn unused_recovery_codes(&self, c: &mut PgConnection, owner: Uuid) -> DbResult<Vec<(Uuid, String)>>;
    async fn spend_recovery_code(&self, c: &mut PgConnection, id: Uuid) -> DbResult<bool>;
    async fn replace_recovery_codes(&self, c: &mut PgConnection, owner: Uuid, hashes: &[String]) -> DbResult<()>;
    /// Where failed checks of `owner` are counted.
    fn failures_key(&self, redis: &RedisHandle, owner: Uuid) -> String;
}

fn already_used(what: &str) -> DomainError {
    DomainError::rejected(ErrorCode::CodeAlreadyUsed, format!("this {what} was already used"))
}

/// Checks `factor` for `owner` within the attempt limit and records its use in `c`; `wrong`
/// is the caller's answer to a code that does not match (401 at sign-in, 403 when
/// re-authenticating).
pub(crate) async fn check(
    store: &impl FactorStore,
    sealer: &Sealer,
    redis: &RedisHandle,
    c: &mut PgConnection,
    owner: Uuid,
    factor: &SecondFactor,
    wrong: fn() -> DomainError,
) -> Result<(), DomainError> {
    let key = store.failures_key(redis, owner);
    attempts::guarded(redis, &key, attempts::SECOND_FACTOR, verify(store, sealer, c, owner, factor, wrong)).await
}

/// Ten new recovery codes for `owner` (the old ones die); only their Argon2id hashes are kept.
pub(crate) async fn new_recovery_codes(
    store: &impl FactorStore,
    c: &mut PgConnection,
    owner: Uuid,
) -> Result<Vec<String>, DomainError> {
    let codes = totp::new_recovery_codes();
    let mut hashes = Vec::with_capacity(codes.len());
    for code in &codes {
        hashes.push(password::hash(totp::normalize_recovery_code(code)).await?);
    }
    store.replace_recovery_codes(c, owner, &hashes).await?;
    Ok(codes)
}

/// The step a code from the pending (not yet enabled) seed belongs to, within the attempt
/// limit: enabling MFA proves the app was set up, and is throttled like any other check.
pub(crate) async fn pending_step(
    store: &impl FactorStore,
    sealer: &Sealer,
    redis: &RedisHandle,
    row: &TotpRow,
    owner: Uuid,
    code: &str,
    wrong: fn() -> DomainError,
) -> Result<u64, DomainError> {
    let key = store.failures_key(redis, owner);
    let step = async {
        let seed = sealer.open(&row.secret, owner.as_bytes()).map_err(internal)?;
        let now = Utc::now().timestamp().max(0) as u64;
        totp::matching_step(&seed, code, now, None).ok_or_else(wrong)
    };
    attempts::guarded(redis, &key, attempts::SECOND_FACTOR, step).await
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

async fn verify(
    store: &impl FactorStore,
    sealer: &Sealer,
    c: &mut PgConnection,
    owner: Uuid,
    factor: &SecondFactor,
    wrong: fn() -> DomainError,
) -> Result<(), DomainError> {
    let row = store.totp(c, owner).await?.filter(|r| r.enabled);
    let Some(row) = row else { return Err(DomainError::rejected(ErrorCode::MfaNotEnabled, "MFA is not enabled")) };
    match factor {
        SecondFactor::Code(code) => {
            let seed = sealer.open(&row.secret, owner.as_bytes()).map_err(internal)?;
            let now = Utc::now().timestamp().max(0) as u64;
            let last = row.last_step.map(|s| s.max(0) as u64);
            match totp::matching_step(&seed, code, now, last) {
                Some(step) if store.use_step(c, owner, step as i64).await? => Ok(()),
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
            for (id, hash) in store.unused_recovery_codes(c, owner).await? {
                if password::verify(hash, presented.clone()).await? != password::Verified::No {
                    return if store.spend_recovery_code(c, id).await? {
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
