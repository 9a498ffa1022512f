//! Rate-limit classes and their budgets (configuration): what `http::rate_limit` and the gRPC
//! adapters count against, read from `RATE_LIMIT_<CLASS>` and `TRUSTED_PROXIES`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};

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
    /// Signed gateway callbacks: bursts from a few gateway addresses are normal.
    Webhook,
}

impl RouteClass {
    pub const ALL: [RouteClass; 5] =
        [RouteClass::PublicRead, RouteClass::Auth, RouteClass::Read, RouteClass::Write, RouteClass::Webhook];

    pub fn name(self) -> &'static str {
        match self {
            RouteClass::PublicRead => "public_read",
            RouteClass::Auth => "auth",
            RouteClass::Read => "read",
            RouteClass::Write => "write",
            RouteClass::Webhook => "webhook",
        }
    }

    pub(crate) fn fails_closed(self) -> bool {
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
            (RouteClass::Webhook, Limit { requests: 12_000, window_secs: 60 }),
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
