//! Rate limiting (`shield`): fixed-window counters in Redis per route class and caller key,
//! checked before any expensive work. Over the limit → 429 `rate_limited` + Retry-After.
//! Redis down: auth classes fail closed (503), read classes fail open.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use helium_domain::ErrorCode;

use super::Principal;
use super::problem::ApiError;
use crate::state::AppState;

const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteClass {
    /// Anonymous reads such as /api/v1/meta.
    PublicRead,
    /// Sign-in, registration, codes: fail closed.
    Auth,
    /// Authenticated reads.
    Read,
    /// Authenticated writes.
    Write,
}

impl RouteClass {
    pub const ALL: [RouteClass; 4] = [RouteClass::PublicRead, RouteClass::Auth, RouteClass::Read, RouteClass::Write];

    pub fn name(self) -> &'static str {
        match self {
            RouteClass::PublicRead => "public_read",
            RouteClass::Auth => "auth",
            RouteClass::Read => "read",
            RouteClass::Write => "write",
        }
    }

    fn fails_closed(self) -> bool {
        matches!(self, RouteClass::Auth | RouteClass::Write)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u64,
    pub window_secs: u64,
}

/// Limits per class; defaults overridable with `RATE_LIMIT_<CLASS>=<requests>/<seconds>`.
#[derive(Debug, Clone)]
pub struct RateLimits {
    limits: HashMap<RouteClass, Limit>,
    trusted_proxies: Vec<IpAddr>,
}

impl Default for RateLimits {
    fn default() -> Self {
        let limits = HashMap::from([
            (RouteClass::PublicRead, Limit { requests: 300, window_secs: 60 }),
            (RouteClass::Auth, Limit { requests: 30, window_secs: 60 }),
            (RouteClass::Read, Limit { requests: 600, window_secs: 60 }),
            (RouteClass::Write, Limit { requests: 120, window_secs: 60 }),
        ]);
        Self { limits, trusted_proxies: Vec::new() }
    }
}

impl RateLimits {
    pub fn limit(&self, class: RouteClass) -> Limit {
        self.limits.get(&class).copied().unwrap_or(Limit { requests: 60, window_secs: 60 })
    }

    pub fn with_limit(mut self, class: RouteClass, limit: Limit) -> Self {
        self.limits.insert(class, limit);
        self
    }

    /// Parses overrides from the environment; errors name the variable.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, (String, String)> {
        let mut out = RateLimits::default();
        for class in RouteClass::ALL {
            let var = format!("RATE_LIMIT_{}", class.name().to_ascii_uppercase());
            if let Some(raw) = get(&var).filter(|v| !v.trim().is_empty()) {
                let parsed = raw.trim().split_once('/').and_then(|(n, s)| Some((n.parse().ok()?, s.parse().ok()?)));
                match parsed {
                    Some((requests, window_secs)) if requests > 0 && window_secs > 0 => {
                        out.limits.insert(class, Limit { requests, window_secs });
                    }
                    _ => return Err((var, raw)),
                }
            }
        }
        if let Some(raw) = get("TRUSTED_PROXIES").filter(|v| !v.trim().is_empty()) {
            for ip in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                out.trusted_proxies.push(ip.parse().map_err(|_| ("TRUSTED_PROXIES".to_owned(), raw.clone()))?);
            }
        }
        Ok(out)
    }

    /// `client_ip` for handlers that have the peer address and headers at hand.
    pub fn client_ip_from(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).unwrap_or("");
        forwarded
            .split(',')
            .rev()
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .find(|ip| !self.trusted_proxies.contains(ip))
            .unwrap_or(peer)
    }

    /// The caller's address: the peer, or — only when the peer is a configured proxy — the
    /// right-most X-Forwarded-For entry that is not itself a trusted proxy.
    pub fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())?;
        Some(self.client_ip_from(peer, req.headers()))
    }
}

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
