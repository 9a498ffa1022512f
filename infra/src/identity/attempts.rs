//! Failure limits of guesses (SECURITY.md §1.9): password sign-ins and one-time codes
//! (TOTP, recovery and e-mailed codes) of customers and staff. Each attempt first reserves a
//! slot in every counter that applies (atomic INCR, before any hashing), so parallel guesses
//! cannot overshoot; a rejection keeps its slots (a failure), anything that was not a guess
//! (success, a replayed valid code, an outage) gives them back. Counts live in Redis; without
//! Redis the check fails closed.
//!
//! Passwords are limited per (account, address) strictly and per address strictly; per
//! account the limit is soft — a growing delay — so failures from elsewhere never lock the
//! owner out: past the hourly account cap only addresses that already failed on the account
//! are refused. Codes are limited per account across codes and per address.

use std::time::Duration;

use helium_domain::{DomainError, ErrorCode};

use super::tokens::token_hash;
use crate::RedisHandle;

/// One counter: at most `max` failures per `window_secs`.
#[derive(Debug, Clone)]
pub struct Counter {
    key: String,
    max: i64,
    window_secs: i64,
    /// A success forgets this counter's failures (per-(account, address) counters).
    clear_on_success: bool,
}

/// The soft per-account part of the password policy.
#[derive(Debug, Clone)]
pub struct SoftAccountLimit {
    key: String,
    /// Failures per hour after which each attempt waits a little longer.
    delay_after: i64,
    /// Failures per hour after which addresses that already failed here are refused.
    dirty_cap: i64,
    /// The (account, address) counter whose value tells whether this address failed before.
    address_key: String,
}

const FIFTEEN_MIN: i64 = 15 * 60;
const HOUR: i64 = 3600;

fn redis_down(e: impl std::fmt::Display) -> DomainError {
    DomainError::Unavailable(format!("redis: {e}"))
}

/// An account or address in a key, hashed: no addresses in Redis keys.
fn hashed(raw: &str) -> String {
    hex::encode(&token_hash(&raw.trim().to_lowercase())[..16])
}

/// The counters of a password sign-in of `account` (e.g. a normalised address) from `ip`,
/// in `scope` (`login`, `staff:login`, `reauth`…).
pub fn password_limits(redis: &RedisHandle, scope: &str, account: &str, ip: Option<&str>) -> Limits {
    let (a, i) = (hashed(account), ip.unwrap_or("unknown"));
    let address_key = redis.key(&format!("att:{scope}:pw:acct_ip:{a}:{i}"));
    Limits {
        counters: vec![
            Counter { key: address_key.clone(), max: 10, window_secs: FIFTEEN_MIN, clear_on_success: true },
            Counter {
                key: redis.key(&format!("att:pw:ip:{i}")),
                max: 100,
                window_secs: FIFTEEN_MIN,
                clear_on_success: false,
            },
        ],
        soft: Some(SoftAccountLimit {
            key: redis.key(&format!("att:{scope}:pw:acct:{a}")),
            delay_after: 10,
            dirty_cap: 100,
            address_key,
        }),
    }
}

/// The counters of a one-time code check (TOTP, recovery or e-mailed code) of `account`
/// from `ip`: 5 failures per account and 50 per address in 15 minutes.
pub fn code_limits(redis: &RedisHandle, scope: &str, account: &str, ip: Option<&str>) -> Limits {
    let i = ip.unwrap_or("unknown");
    Limits {
        counters: vec![
            Counter {
                key: redis.key(&format!("att:{scope}:code:acct:{}", hashed(account))),
                max: 5,
                window_secs: FIFTEEN_MIN,
                clear_on_success: true,
            },
            Counter {
                key: redis.key(&format!("att:code:ip:{i}")),
                max: 50,
                window_secs: FIFTEEN_MIN,
                clear_on_success: false,
            },
        ],
        soft: None,
    }
}

/// Gift-card codes (SECURITY.md §1.9): 10 wrong codes per account and 30 per address in an
/// hour. Only wrong codes count (see [`refuse_if_spent`] / [`count_failure`]): a valid code
/// that was already used is not a guess.
pub fn gift_card_limits(redis: &RedisHandle, account: &str, ip: Option<&str>) -> Limits {
    let i = ip.unwrap_or("unknown");
    Limits {
        counters: vec![
            Counter {
                key: redis.key(&format!("att:gift:acct:{}", hashed(account))),
                max: 10,
                window_secs: HOUR,
                clear_on_success: false,
            },
            Counter {
                key: redis.key(&format!("att:gift:ip:{i}")),
                max: 30,
                window_secs: HOUR,
                clear_on_success: false,
            },
        ],
        soft: None,
    }
}

/// 429 `too_many_attempts` when a counter of `limits` is spent; counts nothing.
pub async fn refuse_if_spent(redis: &RedisHandle, limits: &Limits) -> Result<(), DomainError> {
    let mut conn = redis.conn().await.map_err(redis_down)?;
    let mut pipe = redis::pipe();
    for c in &limits.counters {
        pipe.cmd("GET").arg(&c.key).ttl(&c.key);
    }
    let replies: Vec<(Option<i64>, i64)> = pipe.query_async(&mut conn).await.map_err(redis_down)?;
    for (c, (count, ttl)) in limits.counters.iter().zip(replies) {
        if count.unwrap_or(0) >= c.max {
            tracing::warn!(max = c.max, "attempts throttled");
            return Err(DomainError::Throttled {
                code: ErrorCode::TooManyAttempts,
                retry_after_secs: ttl.clamp(1, c.window_secs) as u64,
            });
        }
    }
    Ok(())
}

/// Counts one failure on every counter of `limits`.
pub async fn count_failure(redis: &RedisHandle, limits: &Limits) {
    let Ok(mut conn) = redis.conn().await else { return };
    let mut pipe = redis::pipe();
    for c in &limits.counters {
        pipe.incr(&c.key, 1).ignore().cmd("EXPIRE").arg(&c.key).arg(c.window_secs).arg("NX").ignore();
    }
    if let Err(e) = pipe.query_async::<()>(&mut conn).await {
        tracing::warn!(error = %e, "could not count a failed attempt");
    }
}

/// Every limit one attempt is checked against.
#[derive(Debug, Clone)]
pub struct Limits {
    counters: Vec<Counter>,
    soft: Option<SoftAccountLimit>,
}

/// TOTP and recovery codes of one account: 5 failures per 15 min (the per-account half of
/// [`code_limits`], for checks made without an address at hand).
pub const SECOND_FACTOR: (i64, i64) = (5, FIFTEEN_MIN);

/// Runs `attempt` under `limits`: refused with 429 `too_many_attempts` when a hard limit is
/// spent, delayed when the account's soft limit is passed.
pub async fn limited<T>(
    redis: &RedisHandle,
    limits: &Limits,
    attempt: impl Future<Output = Result<T, DomainError>>,
) -> Result<T, DomainError> {
    let mut conn = redis.conn().await.map_err(redis_down)?;
    let mut keys: Vec<(&str, i64, i64)> =
        limits.counters.iter().map(|c| (c.key.as_str(), c.max, c.window_secs)).collect();
    if let Some(soft) = &limits.soft {
        keys.push((soft.key.as_str(), i64::MAX, HOUR));
    }
    let mut pipe = redis::pipe();
    for (key, _, window) in &keys {
        pipe.incr(*key, 1).cmd("EXPIRE").arg(*key).arg(*window).arg("NX").ignore().ttl(*key);
    }
    let counts: Vec<i64> = pipe.query_async(&mut conn).await.map_err(redis_down)?;
    let reserved: Vec<(i64, i64)> = counts.chunks(2).map(|p| (p[0], p.get(1).copied().unwrap_or(1))).collect();

    let over = keys.iter().zip(&reserved).find(|((_, max, _), (count, _))| count > max);
    if let Some(((_, max, window), (_, ttl))) = over {
        give_back(redis, keys.iter().map(|k| k.0)).await;
        tracing::warn!(max, "attempts throttled");
        return Err(DomainError::Throttled {
            code: ErrorCode::TooManyAttempts,
            retry_after_secs: (*ttl).clamp(1, *window) as u64,
        });
    }
    if let (Some(soft), Some((account_failures, ttl))) = (&limits.soft, reserved.last()) {
        let earlier = account_failures - 1;
        let address_failures = keys
            .iter()
            .position(|(k, _, _)| *k == soft.address_key)
            .and_then(|i| reserved.get(i))
            .map_or(0, |(count, _)| count - 1);
        if earlier >= soft.dirty_cap && address_failures > 0 {
            give_back(redis, keys.iter().map(|k| k.0)).await;
            tracing::warn!("password attempts from an address that failed before refused: account over its hourly cap");
            return Err(DomainError::Throttled {
                code: ErrorCode::TooManyAttempts,
                retry_after_secs: (*ttl).clamp(1, HOUR) as u64,
            });
        }
        if earlier >= soft.delay_after {
            tokio::time::sleep(soft_delay(earlier - soft.delay_after)).await;
        }
    }

    let result = attempt.await;
    settle(redis, limits, &keys, &result).await;
    result
}

/// The growing wait once an account's soft limit is passed: 250 ms doubling to 4 s.
fn soft_delay(over: i64) -> Duration {
    Duration::from_millis(250u64 << over.clamp(0, 4) as u64)
}

/// A rejection keeps the reserved slots; a success clears the per-account counters and gives
/// the rest back; anything that was not a guess gives everything back.
async fn settle<T>(redis: &RedisHandle, limits: &Limits, keys: &[(&str, i64, i64)], result: &Result<T, DomainError>) {
    match result {
        Err(DomainError::Rejected { code, .. }) if *code != ErrorCode::CodeAlreadyUsed => {}
        Ok(_) => {
            let Ok(mut conn) = redis.conn().await else { return };
            let clear: Vec<&str> =
                limits.counters.iter().filter(|c| c.clear_on_success).map(|c| c.key.as_str()).collect();
            if !clear.is_empty()
                && let Err(e) = redis::cmd("DEL").arg(&clear).query_async::<()>(&mut conn).await
            {
                tracing::warn!(error = %e, "could not clear attempt counters");
            }
            give_back(redis, keys.iter().map(|k| k.0).filter(|k| !clear.contains(k))).await;
        }
        Err(_) => give_back(redis, keys.iter().map(|k| k.0)).await,
    }
}

/// Returns one reserved slot of each key, only while its window lives (a DECR after expiry
/// would leave a key without TTL).
async fn give_back<'a>(redis: &RedisHandle, keys: impl Iterator<Item = &'a str>) {
    let Ok(mut conn) = redis.conn().await else { return };
    let mut pipe = redis::pipe();
    for key in keys {
        pipe.cmd("EVAL")
            .arg("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end return 0")
            .arg(1)
            .arg(key)
            .ignore();
    }
    if let Err(e) = pipe.query_async::<()>(&mut conn).await {
        tracing::warn!(error = %e, "could not give back an attempt");
    }
}

/// Runs `attempt` under the per-account second-factor limit kept at `key` (5 per 15 min).
pub async fn guarded<T>(
    redis: &RedisHandle,
    key: &str,
    (max, window_secs): (i64, i64),
    attempt: impl Future<Output = Result<T, DomainError>>,
) -> Result<T, DomainError> {
    let limits = Limits {
        counters: vec![Counter { key: key.to_owned(), max, window_secs, clear_on_success: true }],
        soft: None,
    };
    limited(redis, &limits, attempt).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_delay_grows_and_stops_growing() {
        assert_eq!(soft_delay(0), Duration::from_millis(250));
        assert_eq!(soft_delay(2), Duration::from_millis(1000));
        assert_eq!(soft_delay(40), Duration::from_millis(4000));
    }
}
