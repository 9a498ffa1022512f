//! Caps on how often mail goes out on someone's behalf (SECURITY.md §1.9): link, reset and
//! code sends are counted per address and per client address in fixed windows in Redis;
//! every send counts, whatever the outcome. Over a cap → 429 `rate_limited` with Retry-After.

use helium_domain::{DomainError, ErrorCode};

use super::tokens::token_hash;
use crate::RedisHandle;

/// At most `max` sends per `window_secs` under `key`.
pub struct SendCap {
    pub key: String,
    pub max: i64,
    pub window_secs: i64,
}

/// Sends to one address: 10 per hour (the resend interval spaces them further).
pub fn per_address(redis: &RedisHandle, email: &str) -> SendCap {
    let h = hex::encode(&token_hash(email)[..16]);
    SendCap { key: redis.key(&format!("sends:addr:{h}")), max: 10, window_secs: 3600 }
}

/// Sends requested from one client address: 30 per hour.
pub fn per_ip(redis: &RedisHandle, ip: Option<&str>) -> SendCap {
    SendCap { key: redis.key(&format!("sends:ip:{}", ip.unwrap_or("unknown"))), max: 30, window_secs: 3600 }
}

/// Sign-ups requested from one client address: 10 per hour.
pub fn registrations_per_ip(redis: &RedisHandle, ip: Option<&str>) -> SendCap {
    SendCap { key: redis.key(&format!("sends:register:ip:{}", ip.unwrap_or("unknown"))), max: 10, window_secs: 3600 }
}

/// Counts one send under every cap; refuses when one is spent. Fails closed without Redis.
pub async fn count(redis: &RedisHandle, caps: &[SendCap]) -> Result<(), DomainError> {
    let unavailable = |e: &dyn std::fmt::Display| DomainError::Unavailable(format!("redis: {e}"));
    let mut conn = redis.conn().await.map_err(|e| unavailable(&e))?;
    let mut pipe = redis::pipe();
    for cap in caps {
        pipe.incr(&cap.key, 1).cmd("EXPIRE").arg(&cap.key).arg(cap.window_secs).arg("NX").ignore().ttl(&cap.key);
    }
    let counts: Vec<i64> = pipe.query_async(&mut conn).await.map_err(|e| unavailable(&e))?;
    for (cap, pair) in caps.iter().zip(counts.chunks(2)) {
        let (n, ttl) = (pair[0], pair.get(1).copied().unwrap_or(1));
        if n > cap.max {
            tracing::info!(max = cap.max, "send cap reached");
            return Err(DomainError::Throttled {
                code: ErrorCode::RateLimited,
                retry_after_secs: ttl.clamp(1, cap.window_secs) as u64,
            });
        }
    }
    Ok(())
}
