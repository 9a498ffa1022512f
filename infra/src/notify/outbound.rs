//! The one SSRF-safe way Helium calls a URL someone configured (SECURITY.md §1.12, check 49):
//! https only; the name is resolved here and every address it gives must be public
//! ([`ip_allowed`]) — the connection then goes to those vetted addresses, so a rebinding name
//! cannot swap them between check and connect; no redirects (a 3xx is an answer, not a hop);
//! 10 s overall timeout; the answer is read up to 64 KiB.
//!
//! `allow_loopback` (tests only, `HELIUM_WEBHOOKS_ALLOW_LOOPBACK=1`) admits loopback addresses
//! and plain http, nothing else.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use helium_domain::notify::webhooks::ip_allowed;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::Policy;

/// Overall time for one call: connect, send, answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer that is read.
pub const MAX_BODY: usize = 64 * 1024;

/// Why a call did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundError {
    /// The URL or an address its name resolves to is not allowed.
    NotAllowed(&'static str),
    Timeout,
    /// Connection, TLS or protocol failure (no details that could carry secrets).
    Failed(String),
}

impl std::fmt::Display for OutboundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutboundError::NotAllowed(why) => write!(f, "url_not_allowed: {why}"),
            OutboundError::Timeout => f.write_str("timeout"),
            OutboundError::Failed(why) => write!(f, "request_failed: {why}"),
        }
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: u16,
    /// At most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
    pub latency: Duration,
}

/// Resolves with the system resolver and refuses the whole name when any address is not public.
#[derive(Debug, Clone, Copy)]
struct VettingResolver {
    allow_loopback: bool,
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err("the name has no addresses".into());
            }
            if addrs.iter().any(|a| !ip_allowed(a.ip(), allow_loopback)) {
                tracing::warn!(target: "security", "outbound call refused: a name resolved to a non-public address");
                return Err(Box::new(Refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            let out: Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("address not allowed")
    }
}

impl std::error::Error for Refused {}

fn refused_in_chain(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<Refused>() || err.to_string().contains("address not allowed") {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The outbound HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    /// `Err` only when the TLS backend could not start; every call then fails.
    client: Result<reqwest::Client, String>,
    allow_loopback: bool,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound").field("allow_loopback", &self.allow_loopback).finish()
    }
}

impl Outbound {
    pub fn new(allow_loopback: bool) -> Self {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .https_only(!allow_loopback)
            .no_proxy()
            .dns_resolver(Arc::new(VettingResolver { allow_loopback }))
            .user_agent("Helium-Webhooks/1")
            .build()
            .map_err(|e| {
                tracing::error!(error = %e, "the outbound HTTP client could not start");
                e.to_string()
            });
        Self { client, allow_loopback }
    }

    pub fn allow_loopback(&self) -> bool {
        self.allow_loopback
    }

    /// Checks the URL itself: scheme, credentials, literal addresses (names are vetted when resolved).
    fn check_url(&self, url: &reqwest::Url) -> Result<(), OutboundError> {
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback => {}
            _ => return Err(OutboundError::NotAllowed("only https URLs are allowed")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::NotAllowed("credentials in the URL"));
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(OutboundError::NotAllowed("no host")),
        };
        if literal.is_some_and(|ip| !ip_allowed(ip, self.allow_loopback)) {
            return Err(OutboundError::NotAllowed("address not allowed"));
        }
        Ok(())
    }

    /// POSTs `body` with `headers`. Any answer (2xx or not, 3xx included) is `Ok`.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: String,
    ) -> Result<OutboundResponse, OutboundError> {
        let url = reqwest::Url::parse(url).map_err(|_| OutboundError::NotAllowed("not a URL"))?;
        self.check_url(&url)?;
        let client = self.client.as_ref().map_err(|_| OutboundError::Failed("client unavailable".into()))?;
        let started = Instant::now();
        let mut req = client.post(url).body(body);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let sent = async {
            let mut res = crate::trace::send_http(client, req.build()?).await?;
            let status = res.status().as_u16();
            let mut body = Vec::new();
            while body.len() < MAX_BODY {
                match res.chunk().await? {
                    Some(chunk) => {
                        let room = MAX_BODY - body.len();
                        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    }
                    None => break,
                }
            }
            Ok::<_, reqwest::Error>((status, body))
        };
        match tokio::time::timeout(TIMEOUT, sent).await {
            Err(_) => Err(OutboundError::Timeout),
            Ok(Ok((status, body))) => Ok(OutboundResponse { status, body, latency: started.elapsed() }),
            Ok(Err(e)) if e.is_timeout() => Err(OutboundError::Timeout),
            Ok(Err(e)) if refused_in_chain(&e) => Err(OutboundError::NotAllowed("address not allowed")),
            Ok(Err(e)) => Err(OutboundError::Failed(describe(&e))),
        }
    }
}

/// A short, secret-free description of a failure: its kind, never the URL (a URL may carry a
/// token in its path or query).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_request() {
        "request failed"
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed"
    } else {
        "failed"
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn literal_inward_addresses_and_plain_http_are_refused_before_any_connection() {
        let out = Outbound::new(false);
        for url in [
            "https://127.0.0.1/",
            "https://169.254.169.254/latest",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://10.0.0.1/",
            "https://[fd00::1]/",
            "http://example.com/",
            "https://u:p@example.com/",
        ] {
            let r = out.post(url, &[], "{}".into()).await;
            assert!(matches!(r, Err(OutboundError::NotAllowed(_))), "{url}: {r:?}");
        }
    }

    #[tokio::test]
    async fn names_resolving_inward_are_refused() {
        let out = Outbound::new(false);
        // `localhost` resolves to loopback on every system.
        let r = out.post("https://localhost:9/", &[], "{}".into()).await;
        assert_eq!(r.err(), Some(OutboundError::NotAllowed("address not allowed")));
    }
}
