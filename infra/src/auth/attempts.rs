//! Per-account attempt limits (SECURITY.md §1.9): password sign-ins and second factors of one
//! account (customer or staff) may fail only so often per window. Each attempt first reserves
//! a slot atomically (INCR) before any hashing, so parallel guesses cannot overshoot; a
//! success clears the count and an attempt that was not a guess gives its slot back. Counts
//! live in Redis; without Redis the check fails closed.

use helium_domain::{DomainError, ErrorCode};

use crate::RedisHandle;

#[derive(Debug, Clone, Copy)]
pub struct Attempts {
    pub max: i64,
    pub window_secs: i64,
}

/// TOTP and recovery codes: 5 failures per 15 min.
pub const SECOND_FACTOR: Attempts = Attempts { max: 5, window_secs: 15 * 60 };
/// Passwords: 10 failures per 15 min.
pub const PASSWORD: Attempts = Attempts { max: 10, window_secs: 15 * 60 };

fn redis_down(e: impl std::fmt::Display) -> DomainError {
    DomainError::Unavailable(format!("redis: {e}"))
}

/// Reserves one attempt under `key`, or answers 429 `too_many_attempts` over the limit.
pub async fn allow(redis: &RedisHandle, key: &str, limit: Attempts) -> Result<(), DomainError> {
    let mut conn = redis.conn().await.map_err(redis_down)?;
    let (count, ttl): (i64, i64) = redis::pipe()
        .atomic()
        .incr(key, 1)
        .cmd("EXPIRE")
        .arg(key)
        .arg(limit.window_secs)
        .arg("NX")
        .ignore()
        .ttl(key)
        .query_async(&mut conn)
        .await
        .map_err(redis_down)?;
    if count > limit.max {
        tracing::warn!(max = limit.max, "attempts throttled for one account");
        return Err(DomainError::Throttled {
            code: ErrorCode::TooManyAttempts,
            retry_after_secs: ttl.clamp(1, limit.window_secs) as u64,
        });
    }
    Ok(())
}

/// Settles the slot `allow` reserved: a rejection keeps it (one failure), a success clears
/// the count, anything that was not a guess (a replayed valid code, an outage) gives it back.
pub async fn settle<T>(redis: &RedisHandle, key: &str, result: &Result<T, DomainError>) {
    let Ok(mut conn) = redis.conn().await else { return };
    let outcome = match result {
        Ok(_) => redis::cmd("DEL").arg(key).query_async::<()>(&mut conn).await,
        Err(DomainError::Rejected { code, .. }) if *code != ErrorCode::CodeAlreadyUsed => Ok(()),
        // Only while the window lives: a DECR after expiry would leave a key without TTL.
        Err(_) => {
            redis::cmd("EVAL")
                .arg("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end return 0")
                .arg(1)
                .arg(key)
                .query_async::<()>(&mut conn)
                .await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "could not settle an attempt");
    }
}
