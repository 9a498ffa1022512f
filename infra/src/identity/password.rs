//! Argon2id password hashing (m = 19456 KiB, t = 2, p = 1: the RustCrypto/OWASP defaults) on
//! a bounded blocking pool, so hashing never starves the async runtime and a burst of
//! sign-ins queues instead of exhausting memory.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use helium_domain::DomainError;
use tokio::sync::Semaphore;

/// Concurrent hashes at most (each holds ~19 MiB).
const MAX_CONCURRENT: usize = 4;

fn argon() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

fn permits() -> Arc<Semaphore> {
    static SEM: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SEM.get_or_init(|| Arc::new(Semaphore::new(MAX_CONCURRENT))).clone()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, DomainError> {
    let internal = |e: &dyn std::fmt::Display| DomainError::Internal(format!("password hashing: {e}"));
    let _permit = permits().acquire_owned().await.map_err(|e| internal(&e))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| internal(&e))
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: String) -> Result<String, DomainError> {
    metrics::counter!("helium_password_hashes_total").increment(1);
    blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("password hashing: {e}")))
    })
    .await?
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but stored with weaker parameters: rehash and store.
    YesNeedsRehash,
}

pub async fn verify(stored: String, password: String) -> Result<Verified, DomainError> {
    metrics::counter!("helium_password_verifications_total").increment(1);
    blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else { return Verified::No };
        if argon().verify_password(password.as_bytes(), &parsed).is_err() {
            return Verified::No;
        }
        let current = Params::default();
        let weaker = parsed.algorithm.as_str() != "argon2id"
            || Params::try_from(&parsed)
                .map(|p| p.m_cost() < current.m_cost() || p.t_cost() < current.t_cost())
                .unwrap_or(true);
        if weaker { Verified::YesNeedsRehash } else { Verified::Yes }
    })
    .await
}

/// Spends the same work as a real verification, for unknown accounts (equal timing).
pub async fn dummy_verify(password: String) -> Result<(), DomainError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash("helium-dummy-password-for-timing".to_owned()).await?;
            DUMMY.get_or_init(|| h).clone()
        }
    };
    verify(stored, password).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_weak_ones_ask_for_rehash() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify(h.clone(), "correct horse".into()).await.unwrap(), Verified::Yes);
        assert_eq!(verify(h, "wrong".into()).await.unwrap(), Verified::No);
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap())
            .hash_password(b"pw-legacy-1", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert_eq!(verify(weak, "pw-legacy-1".into()).await.unwrap(), Verified::YesNeedsRehash);
        assert_eq!(verify("not a hash".into(), "x".into()).await.unwrap(), Verified::No);
    }
}
