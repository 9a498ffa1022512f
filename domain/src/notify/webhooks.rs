//! Outgoing webhooks (Standard Webhooks): which events an endpoint may subscribe to, what an
//! endpoint URL may be, the secret format, the signature, which addresses an outbound call may
//! reach and the retry schedule. Pure rules: randomness and time come in as arguments.
//!
//! Subscriptions are exact event types, or a wildcard: `*` (every type below) or
//! `<domain>.*` (e.g. `order.*`, `ticket.*`) over the types below. `webhook.test` is never
//! subscribed to: it goes only to the endpoint a staff member tests.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{DomainError, ErrorCode, FieldError};
use crate::events::types;
use crate::text::{Fields, control_char_error};

/// The event types an endpoint may subscribe to.
pub const EVENT_TYPES: [&str; 14] = [
    types::ORDER_PAID,
    types::ORDER_DELIVERED,
    types::ORDER_CANCELLED,
    types::ORDER_REFUNDED,
    types::PAYMENT_SUCCEEDED,
    types::USER_REGISTERED,
    types::USER_BANNED,
    types::PACKAGE_ACTIVATED,
    types::PACKAGE_CONSUMED,
    types::NODE_OFFLINE,
    types::NODE_ONLINE,
    types::TICKET_CREATED,
    types::TICKET_REPLIED,
    types::TICKET_STATUS_CHANGED,
];

/// Longest accepted endpoint URL.
pub const MAX_URL_CHARS: usize = 2048;
/// Most subscriptions one endpoint holds.
pub const MAX_EVENT_TYPES: usize = 32;
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Default grace of a rotation: the old secret keeps signing for a day.
pub const DEFAULT_GRACE_SECS: i64 = 86_400;
/// Longest grace: a week.
pub const MAX_GRACE_SECS: i64 = 7 * 86_400;
/// A secret is `whsec_` + base64 of this many random bytes.
pub const SECRET_BYTES: usize = 32;
pub const SECRET_PREFIX: &str = "whsec_";
/// The longest part of a receiver's answer kept with an attempt.
pub const EXCERPT_BYTES: usize = 1024;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// A 2xx answer arrived.
    Delivered,
    /// The retry schedule ran out.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

// ---- subscriptions -------------------------------------------------------------------------

fn is_pattern(p: &str) -> bool {
    if p == "*" || EVENT_TYPES.contains(&p) {
        return true;
    }
    p.strip_suffix(".*").is_some_and(|domain| EVENT_TYPES.iter().any(|t| t.split('.').next() == Some(domain)))
}

/// Whether a subscription list covers `event_type`.
pub fn subscribed(patterns: &[String], event_type: &str) -> bool {
    if !EVENT_TYPES.contains(&event_type) {
        return false;
    }
    patterns.iter().any(|p| {
        p == "*" || p == event_type || p.strip_suffix(".*").is_some_and(|d| event_type.split('.').next() == Some(d))
    })
}

/// A subscription list: 1–32 known types or wildcards, duplicates removed, order kept.
pub fn event_types(raw: &[String], errors: &mut Fields) -> Vec<String> {
    if raw.is_empty() {
        errors.push(FieldError::new("event_types", "too_short", "subscribe to at least one event type"));
    }
    if raw.len() > MAX_EVENT_TYPES {
        errors.push(FieldError::new("event_types", "too_long", "at most 32 entries"));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        let t = t.trim();
        if !is_pattern(t) {
            errors.push(FieldError::new(
                format!("event_types[{i}]"),
                "invalid_enum",
                "a known event type (e.g. order.paid), `<domain>.*` or `*`",
            ));
        } else if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    out
}

// ---- addresses -----------------------------------------------------------------------------

/// Whether an outbound call may reach `ip`: only public unicast addresses. `allow_loopback`
/// (tests only, `HELIUM_WEBHOOKS_ALLOW_LOOPBACK`) admits loopback and nothing else.
pub fn ip_allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4, allow_loopback),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:a.b.c.d) and -compatible (::a.b.c.d) addresses are judged as IPv4;
            // so is NAT64 (64:ff9b::/96).
            let s = v6.segments();
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_allowed(v4, allow_loopback);
            }
            if s[..6] == [0, 0, 0, 0, 0, 0] && !v6.is_unspecified() && !v6.is_loopback() {
                return v4_allowed(embedded_v4(v6), allow_loopback);
            }
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return v4_allowed(embedded_v4(v6), allow_loopback);
            }
            v6_allowed(v6, allow_loopback)
        }
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Ipv4Addr {
    let o = v6.octets();
    Ipv4Addr::new(o[12], o[13], o[14], o[15])
}

fn v4_allowed(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        return allow_loopback;
    }
    let refused = ip.is_unspecified()          // 0.0.0.0
        || a == 0                              // 0.0.0.0/8 "this network"
        || ip.is_private()                     // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()                  // 169.254/16 (cloud metadata)
        || (a == 100 && (64..128).contains(&b)) // 100.64/10 CGNAT
        || (a == 192 && b == 0 && c == 0)      // 192.0.0.0/24 IETF protocol assignments
        || ip.is_documentation()               // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 198 && (b == 18 || b == 19))  // 198.18/15 benchmarking
        || ip.is_multicast()                   // 224/4
        || a >= 240; // 240/4 reserved, 255.255.255.255 broadcast
    !refused
}

fn v6_allowed(ip: Ipv6Addr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return allow_loopback;
    }
    let s = ip.segments();
    let refused = ip.is_unspecified()
        || ip.is_multicast()                   // ff00::/8
        || (s[0] & 0xffc0) == 0xfe80           // fe80::/10 link-local
        || (s[0] & 0xffc0) == 0xfec0           // fec0::/10 site-local (deprecated)
        || (s[0] & 0xfe00) == 0xfc00           // fc00::/7 ULA (fd00::/8 included)
        || (s[0] == 0x2001 && s[1] == 0x0db8)  // 2001:db8::/32 documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // 100::/64 discard
        || s[0] == 0x2002                      // 6to4 embeds any IPv4
        || (s[0] == 0x2001 && s[1] == 0); // Teredo embeds any IPv4
    !refused
}

// ---- endpoint URLs -------------------------------------------------------------------------

fn url_refused(detail: &str) -> DomainError {
    DomainError::Rejected {
        code: ErrorCode::UrlNotAllowed,
        detail: detail.to_owned(),
        fields: vec![FieldError::new("url", "url_not_allowed", detail)],
    }
}

/// A checked endpoint URL: https (http only with `allow_loopback`), no credentials, a host that
/// is not `localhost` and not a refused literal address. Names are checked again after DNS at
/// send time (the outbound client).
pub fn endpoint_url(raw: &str, allow_loopback: bool) -> Result<String, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > MAX_URL_CHARS || control_char_error("url", raw, false).is_some() {
        return Err(DomainError::field("url", "invalid_format", "an absolute https URL of at most 2048 characters"));
    }
    let url = url::Url::parse(raw).map_err(|_| DomainError::field("url", "invalid_format", "an absolute https URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_loopback => {}
        _ => return Err(url_refused("only https URLs are allowed")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(url_refused("credentials in the URL are not allowed"));
    }
    match url.host() {
        None => return Err(url_refused("the URL needs a host")),
        Some(url::Host::Ipv4(ip)) if !ip_allowed(IpAddr::V4(ip), allow_loopback) => {
            return Err(url_refused("this address is private, loopback or reserved"));
        }
        Some(url::Host::Ipv6(ip)) if !ip_allowed(IpAddr::V6(ip), allow_loopback) => {
            return Err(url_refused("this address is private, loopback or reserved"));
        }
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".local")
                || name.ends_with(".internal")
                || !name.contains('.');
            if local && !(allow_loopback && name == "localhost") {
                return Err(url_refused("this host name is not public"));
            }
        }
        Some(_) => {}
    }
    Ok(url.to_string())
}

// ---- secrets and signatures ----------------------------------------------------------------

/// `whsec_<base64 of the random bytes>`; the bytes come from the caller (randomness is a port).
pub fn format_secret(bytes: &[u8; SECRET_BYTES]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a `whsec_…` secret.
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()
}

/// One `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` signature.
pub fn sign(key: &[u8], msg_id: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        // HMAC takes keys of any length; this branch cannot run.
        return String::new();
    };
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: the current key's signature, then (during a rotation's
/// grace) the previous key's, space-separated.
pub fn signature_header(keys: &[Vec<u8>], msg_id: &str, timestamp: i64, body: &str) -> String {
    keys.iter().map(|k| sign(k, msg_id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// A rotation's grace in seconds: 0 to a week, a day when absent.
pub fn grace_secs(raw: Option<i64>) -> Result<i64, DomainError> {
    match raw {
        None => Ok(DEFAULT_GRACE_SECS),
        Some(s) if (0..=MAX_GRACE_SECS).contains(&s) => Ok(s),
        Some(_) => Err(DomainError::field("grace_secs", "out_of_range", "0 to 604800 seconds")),
    }
}

// ---- retries -------------------------------------------------------------------------------

/// 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h six times: the last try is ≈ 2.8 days after the first.
pub fn default_schedule() -> Vec<Duration> {
    let mut s: Vec<Duration> = [5, 300, 1_800, 7_200, 18_000].into_iter().map(Duration::from_secs).collect();
    s.extend(std::iter::repeat_n(Duration::from_secs(36_000), 6));
    s
}

/// The wait before the next try after `failed` failed tries of the current series, or `None`
/// when the schedule is spent (the delivery fails).
pub fn next_delay(schedule: &[Duration], failed: u32) -> Option<Duration> {
    let i = usize::try_from(failed).ok()?.checked_sub(1)?;
    schedule.get(i).copied()
}

/// A schedule written as comma-separated seconds (`HELIUM_WEBHOOKS_RETRY_SCHEDULE=1,1,2`).
pub fn parse_schedule(raw: &str) -> Option<Vec<Duration>> {
    raw.split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).map(Duration::from_secs_f64))
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// At most [`EXCERPT_BYTES`] of a receiver's answer, cut at a character boundary, with the
/// signature values sent in that attempt blanked out in case the receiver echoed them.
pub fn excerpt(body: &[u8], sent_secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String =
        text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }).collect();
    for s in sent_secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s, "[redacted]");
    }
    if out.len() > EXCERPT_BYTES {
        let mut cut = EXCERPT_BYTES;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

// ---- commands ------------------------------------------------------------------------------

/// A validated new endpoint.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub enabled: bool,
}

fn description(raw: Option<&str>, errors: &mut Fields) -> Option<String> {
    let d = raw.map(|d| errors.line("description", d, 0, MAX_DESCRIPTION_CHARS))?;
    (!d.is_empty()).then_some(d)
}

impl NewEndpoint {
    pub fn new(
        url: &str,
        desc: Option<&str>,
        types: &[String],
        enabled: bool,
        allow_loopback: bool,
    ) -> Result<Self, DomainError> {
        let mut errors = Fields::new();
        let description = description(desc, &mut errors);
        let event_types = event_types(types, &mut errors);
        errors.finish(())?;
        let url = endpoint_url(url, allow_loopback)?;
        Ok(Self { url, description, event_types, enabled })
    }
}

/// A validated change: absent fields stay; `description: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

impl EndpointPatch {
    pub fn new(
        url: Option<&str>,
        desc: Option<Option<&str>>,
        types: Option<&[String]>,
        enabled: Option<bool>,
        allow_loopback: bool,
    ) -> Result<Self, DomainError> {
        let mut errors = Fields::new();
        let description = desc.map(|d| description(d, &mut errors));
        let event_types = types.map(|t| event_types(t, &mut errors));
        errors.finish(())?;
        let url = url.map(|u| endpoint_url(u, allow_loopback)).transpose()?;
        Ok(Self { url, description, event_types, enabled })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_public_addresses_are_reachable() {
        for bad in [
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:0:4136:e378::1",
        ] {
            assert!(!ip_allowed(ip(bad), false), "{bad} must be refused");
        }
        for good in ["1.1.1.1", "93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "172.32.0.1"] {
            assert!(ip_allowed(ip(good), false), "{good} must be allowed");
        }
    }

    #[test]
    fn the_test_flag_admits_loopback_and_nothing_else() {
        for ok in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            assert!(ip_allowed(ip(ok), true), "{ok}");
        }
        for bad in ["10.0.0.1", "169.254.169.254", "fd00::1", "0.0.0.0", "::"] {
            assert!(!ip_allowed(ip(bad), true), "{bad}");
        }
    }

    #[test]
    fn endpoint_urls_must_be_public_https_without_credentials() {
        let code = |u: &str, flag: bool| endpoint_url(u, flag).err().map(|e| e.code());
        let refused = Some(ErrorCode::UrlNotAllowed);
        for bad in [
            "http://example.com/hook",
            "https://127.0.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://10.0.0.1/",
            "https://localhost/",
            "https://api.localhost/",
            "https://user:pass@example.com/",
            "https://user@example.com/",
            "ftp://example.com/",
            "https://intranet/",
        ] {
            assert_eq!(code(bad, false), refused, "{bad}");
        }
        assert_eq!(code("not a url", false), Some(ErrorCode::ValidationFailed));
        assert_eq!(code("https://exa\0mple.com", false), Some(ErrorCode::ValidationFailed));
        assert_eq!(
            endpoint_url(" https://Example.com/h?x=1 ", false).ok().as_deref(),
            Some("https://example.com/h?x=1")
        );
        assert!(endpoint_url("http://127.0.0.1:9000/in", true).is_ok());
        assert!(endpoint_url("http://localhost:9000/in", true).is_ok());
        assert_eq!(code("https://10.0.0.1/", true), refused);
        assert_eq!(code("https://169.254.169.254/", true), refused);
        let e = endpoint_url("https://127.0.0.1/", false).err();
        let Some(DomainError::Rejected { fields, .. }) = e else { panic!("rejected") };
        assert_eq!(fields[0].field, "url");
    }

    #[test]
    fn subscriptions_accept_known_types_and_documented_wildcards() {
        let mut f = Fields::new();
        let got = event_types(&["order.paid".into(), "ticket.*".into(), "order.paid".into(), "*".into()], &mut f);
        assert!(f.is_empty());
        assert_eq!(got, ["order.paid", "ticket.*", "*"]);
        for bad in ["order.unknown", "email.requested", "webhook.test", "webhook.*", "", "order.", "**"] {
            let mut f = Fields::new();
            event_types(&[bad.to_owned()], &mut f);
            assert!(!f.is_empty(), "{bad}");
        }
        let mut f = Fields::new();
        event_types(&[], &mut f);
        assert!(!f.is_empty());
        let subs = vec!["ticket.*".to_owned(), "order.paid".to_owned()];
        assert!(subscribed(&subs, "ticket.replied"));
        assert!(subscribed(&subs, "order.paid"));
        assert!(!subscribed(&subs, "order.cancelled"));
        assert!(subscribed(&["*".to_owned()], "node.offline"));
        assert!(!subscribed(&["*".to_owned()], "webhook.test"));
        assert!(!subscribed(&["*".to_owned()], "email.requested"));
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification's reference libraries.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let header = signature_header(&[key.clone(), vec![1, 2, 3]], "msg_1", 1, "{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&key, "msg_1", 1, "{}"));
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn secrets_are_whsec_and_32_bytes() {
        let s = format_secret(&[7u8; SECRET_BYTES]);
        assert!(s.starts_with("whsec_"));
        assert_eq!(secret_key(&s).unwrap(), vec![7u8; 32]);
        assert!(secret_key("nope").is_none());
    }

    #[test]
    fn the_schedule_backs_off_for_about_three_days() {
        let s = default_schedule();
        assert_eq!(next_delay(&s, 1), Some(Duration::from_secs(5)));
        assert_eq!(next_delay(&s, 2), Some(Duration::from_secs(300)));
        assert_eq!(next_delay(&s, 0), None);
        assert_eq!(next_delay(&s, s.len() as u32 + 1), None);
        let total: u64 = s.iter().map(Duration::as_secs).sum();
        assert!((2 * 86_400..=4 * 86_400).contains(&total), "{total}");
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(
            parse_schedule("1, 0.5,2"),
            Some(vec![Duration::from_secs(1), Duration::from_millis(500), Duration::from_secs(2)])
        );
        assert_eq!(parse_schedule("1,x"), None);
        assert_eq!(parse_schedule("-1"), None);
    }

    #[test]
    fn grace_is_bounded() {
        assert_eq!(grace_secs(None).ok(), Some(86_400));
        assert_eq!(grace_secs(Some(0)).ok(), Some(0));
        assert!(grace_secs(Some(-1)).is_err());
        assert!(grace_secs(Some(MAX_GRACE_SECS + 1)).is_err());
    }

    #[test]
    fn excerpts_are_short_and_hide_what_we_sent() {
        let long = "é".repeat(2000);
        let e = excerpt(long.as_bytes(), &[]);
        assert!(e.len() <= EXCERPT_BYTES);
        assert_eq!(excerpt(b"got v1,abc ok\x00", &["v1,abc"]), "got [redacted] ok ");
    }
}

crate::pg_text!(DeliveryStatus);
