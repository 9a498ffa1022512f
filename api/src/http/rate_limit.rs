//! Rate limiting (`shield`): fixed-window counters in Redis per route class and caller key,
//! checked before any expensive work. Over the limit → 429 `rate_limited` + Retry-After.
//! Redis down: auth classes fail closed (503), read classes fail open.

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use helium_domain::ErrorCode;

use super::Principal;
use super::problem::ApiError;
use crate::state::AppState;

const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

pub use crate::limits::{Limit, RateLimits, RouteClass};

/// Middleware factory: `route_layer(from_fn(move |r, n| limit(class, r, n)))`.
/// Counts one request of `who` (`p:<principal>` or `ip:<address>`) in `class`; refuses it
/// with 429 over the limit. HTTP and gRPC share the counters.
pub async fn check(state: &AppState, class: RouteClass, who: &str) -> Result<(), ApiError> {
    let limit = state.rate_limits.limit(class);
    match hit(state, class, who, limit).await {
        Ok((count, ttl)) if count > limit.requests => {
            tracing::info!(class = class.name(), "rate limit tripped");
            Err(ApiError::new(ErrorCode::RateLimited, "too many requests; retry after the indicated delay")
                .with_retry_after(ttl.max(1)))
        }
        Ok(_) => Ok(()),
        Err(e) if class.fails_closed() => {
            tracing::warn!(class = class.name(), error = %e, "rate limiter unavailable; failing closed");
            Err(ApiError::unavailable(5))
        }
        Err(e) => {
            tracing::debug!(class = class.name(), error = %e, "rate limiter unavailable; failing open");
            Ok(())
        }
    }
}

pub async fn limit(class: RouteClass, req: Request, next: Next) -> Response {
    let Some(state) = req.extensions().get::<AppState>().cloned() else {
        return ApiError::internal().into_response();
    };
    // Sign-in class routes always count per client address: a bearer token (valid or not)
    // must not move an attacker to a fresh budget. Other classes count per principal.
    let principal = req.extensions().get::<Principal>().filter(|_| class != RouteClass::Auth);
    let who = match principal {
        Some(p) => format!("p:{}", p.0),
        None => format!(
            "ip:{}",
            state.rate_limits.client_ip(&req).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())
        ),
    };
    match check(&state, class, &who).await {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Counts one request; returns (count in window, seconds left in window).
async fn hit(state: &AppState, class: RouteClass, who: &str, limit: Limit) -> anyhow::Result<(u64, u64)> {
    let now = chrono::Utc::now().timestamp() as u64;
    let window = now / limit.window_secs;
    let key = state.redis.key(&format!("rl:{}:{}:{}", class.name(), who, window));
    let fut = async {
        let mut conn = state.redis.conn().await?;
        // One round trip; no MULTI/EXEC needed: INCR is atomic and the EXPIRE only refreshes.
        let (count,): (u64,) = redis::pipe()
            .incr(&key, 1u64)
            .expire(&key, limit.window_secs as i64 + 1)
            .ignore()
            .query_async(&mut conn)
            .await?;
        anyhow::Ok(count)
    };
    let count = tokio::time::timeout(REDIS_TIMEOUT, fut).await.map_err(|_| anyhow::anyhow!("Redis timed out"))??;
    let left = (window + 1) * limit.window_secs - now;
    Ok((count, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_are_parsed_and_named_when_bad() {
        let ok = RateLimits::from_lookup(&|k| (k == "RATE_LIMIT_AUTH").then(|| "5/10".to_owned())).unwrap();
        assert_eq!(ok.limit(RouteClass::Auth), Limit { requests: 5, window_secs: 10 });
        assert_eq!(ok.limit(RouteClass::Read).requests, 600);
        let err = RateLimits::from_lookup(&|k| (k == "RATE_LIMIT_READ").then(|| "x".to_owned())).unwrap_err();
        assert_eq!(err.0, "RATE_LIMIT_READ");
        let err = RateLimits::from_lookup(&|k| (k == "TRUSTED_PROXIES").then(|| "nope".to_owned())).unwrap_err();
        assert_eq!(err.0, "TRUSTED_PROXIES");
    }
}
