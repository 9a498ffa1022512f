//! Semantic rules that serde alone cannot express.
//!
//! Rules run in document order and stop at the first failure, so the
//! caller always gets one precise path to fix.

use std::collections::HashSet;

use super::secrets::is_placeholder_secret;
use super::{
    AdminJwtConfig, AffiliateConfig, AuthConfig, ConfigError, MailerConfig, ModuleConfig, Seconds, Secret, ShopConfig,
    TelecomConfig,
};

/// How strictly signing keys/tokens are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Production: long, non-placeholder secrets.
    Strict,
    /// Structure only: secrets merely non-empty (seed examples pass).
    Shape,
}

pub(crate) const MIN_SECRET_LEN: usize = 32;
const PLACEHOLDER: &str = "placeholder secret; generate a random value (>= 32 characters)";
const MASKED: &str = "secret is still masked; send the real value";

type Check = Result<(), ConfigError>;

fn fail(path: impl Into<String>, reason: impl Into<String>) -> Check {
    Err(ConfigError::new(path, reason))
}

pub(crate) fn check(config: &ModuleConfig, mode: Mode) -> Check {
    match config {
        ModuleConfig::Auth(c) => auth(c, mode),
        ModuleConfig::AdminJwt(c) => admin_jwt(c, mode),
        ModuleConfig::Telecom(c) => telecom(c, mode),
        ModuleConfig::Shop(c) => shop(c),
        ModuleConfig::Affiliate(c) => affiliate(c),
        ModuleConfig::Mailer(c) => mailer(c),
    }
}

fn auth(c: &AuthConfig, mode: Mode) -> Check {
    let ep = &c.email_provider;
    let rd = &ep.register_domain;
    domains("email_provider.register_domain.white_list", &rd.white_list)?;
    domains("email_provider.register_domain.black_list", &rd.black_list)?;
    positive("email_provider.otp_expire_after", ep.otp_expire_after)?;
    at_least(
        "email_provider.delete_otp_before",
        ep.delete_otp_before,
        "email_provider.otp_expire_after",
        ep.otp_expire_after,
    )?;
    positive("email_provider.magic_link_expire_after", ep.magic_link_expire_after)?;
    at_least(
        "email_provider.magic_link_delete_before",
        ep.magic_link_delete_before,
        "email_provider.magic_link_expire_after",
        ep.magic_link_expire_after,
    )?;
    positive("email_provider.resend_interval", ep.resend_interval)?;

    let jwt = &c.jwt;
    signing_secret("jwt.secret", &jwt.secret, mode)?;
    positive("jwt.access_token_expiration", jwt.access_token_expiration)?;
    positive("jwt.refresh_token_expiration", jwt.refresh_token_expiration)?;
    if jwt.refresh_token_expiration <= jwt.access_token_expiration {
        fail("jwt.refresh_token_expiration", "must be greater than jwt.access_token_expiration")?;
    }
    non_empty("jwt.issuer", &jwt.issuer)?;
    non_empty("jwt.access_audience", &jwt.access_audience)?;
    non_empty("jwt.refresh_audience", &jwt.refresh_audience)?;

    let mut seen = HashSet::new();
    for (i, p) in c.oauth_providers.providers.iter().enumerate() {
        let at = format!("oauth_providers.providers[{i}]");
        non_empty(format!("{at}.name"), &p.name)?;
        if !seen.insert(p.name.trim().to_ascii_lowercase()) {
            fail(format!("{at}.name"), format!("duplicate provider name `{}` (names are case-insensitive)", p.name))?;
        }
        non_empty(format!("{at}.client_id"), &p.client_id)?;
        plain_secret(format!("{at}.client_secret"), &p.client_secret, true)?;
        http_url(format!("{at}.redirect_uri"), &p.redirect_uri)?;
        for (j, uri) in p.allowed_redirect_uris.iter().enumerate() {
            http_url(format!("{at}.allowed_redirect_uris[{j}]"), uri)?;
        }
        match (&p.issuer, super::providers::ProviderKind::builtin(&p.name)) {
            (Some(issuer), _) if !super::providers::issuer_url_acceptable(issuer) => {
                fail(format!("{at}.issuer"), "must be an https:// URL (http:// only for localhost)")?
            }
            (None, None) => {
                fail(format!("{at}.issuer"), "required: the provider is not one of google, microsoft, github, discord")?
            }
            _ => {}
        }
    }
    positive("oauth_providers.challenge_expiration", c.oauth_providers.challenge_expiration)
}

fn admin_jwt(c: &AdminJwtConfig, mode: Mode) -> Check {
    signing_secret("secret", &c.secret, mode)?;
    positive("token_expiration", c.token_expiration)?;
    non_empty("issuer", &c.issuer)?;
    non_empty("audience", &c.audience)?;
    positive("invitation_expiration", c.invitation_expiration)?;
    Ok(())
}

fn telecom(c: &TelecomConfig, mode: Mode) -> Check {
    positive("node_health_check.offline_timeout", c.node_health_check.offline_timeout)?;
    if !(3600..=30 * 24 * 3600).contains(&c.package_expiring_lead.0) {
        fail("package_expiring_lead", "must be between 1 hour and 30 days")?;
    }
    let endpoints = &c.subscribe_link.endpoints;
    if endpoints.is_empty() {
        fail("subscribe_link.endpoints", "must contain at least one endpoint")?;
    }
    let mut seen = HashSet::new();
    for (i, e) in endpoints.iter().enumerate() {
        let at = format!("subscribe_link.endpoints[{i}]");
        http_url(format!("{at}.url_template"), &e.url_template)?;
        if !e.url_template.contains("{SUBSCRIBE_TOKEN}") {
            fail(format!("{at}.url_template"), "must contain the `{SUBSCRIBE_TOKEN}` placeholder")?;
        }
        non_empty(format!("{at}.endpoint_name"), &e.endpoint_name)?;
        if !seen.insert(e.endpoint_name.trim().to_ascii_lowercase()) {
            fail(
                format!("{at}.endpoint_name"),
                format!("duplicate endpoint name `{}` (names are case-insensitive)", e.endpoint_name),
            )?;
        }
    }
    positive("uni_proxy_sync.push_interval", c.uni_proxy_sync.push_interval)?;
    positive("uni_proxy_sync.pull_interval", c.uni_proxy_sync.pull_interval)?;
    signing_secret("vpn_server_token", &c.vpn_server_token, mode)?;
    if !c.vpn_server_token_previous.is_empty() {
        signing_secret("vpn_server_token_previous", &c.vpn_server_token_previous, mode)?;
        if c.vpn_server_token_previous == c.vpn_server_token {
            fail("vpn_server_token_previous", "must differ from vpn_server_token (leave it empty when not rotating)")?;
        }
    }
    Ok(())
}

fn shop(c: &ShopConfig) -> Check {
    if c.max_unpaid_orders < 1 {
        fail("max_unpaid_orders", "must be at least 1")?;
    }
    positive("auto_cancel_after", c.auto_cancel_after)?;
    http_url("epay_notify_url", &c.epay_notify_url)?;
    http_url("epay_return_url", &c.epay_return_url)?;
    if c.currency.len() != 3 || !c.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        fail("currency", "an ISO 4217 code such as CNY or USD")?;
    }
    if c.top_up_min < 1 || c.top_up_min > c.top_up_max || c.top_up_max > crate::money::MAX_AMOUNT {
        fail("top_up_min", "1 <= top_up_min <= top_up_max <= 10^12 minor units")?;
    }
    Ok(())
}

fn mailer(c: &MailerConfig) -> Check {
    non_empty("host", &c.host)?;
    if c.port == 0 {
        fail("port", "must be between 1 and 65535")?;
    }
    // The password may be empty (no SMTP auth) or anything else, but an
    // unrestored mask must not be saved as the real password.
    plain_secret("password", &c.password, false)?;
    if !looks_like_email(&c.sender) {
        fail("sender", "must be an email address such as `noreply@example.com`")?;
    }
    Ok(())
}

fn affiliate(c: &AffiliateConfig) -> Check {
    reward_rate("default_reward_rate", &c.default_reward_rate)?;
    if c.default_trigger_time_per_user < 1 {
        fail("default_trigger_time_per_user", "must be at least 1")?;
    }
    if c.commission_hold_period.0 > 365 * 24 * 3600 {
        fail("commission_hold_period", "must be at most 365 days")?;
    }
    Ok(())
}

fn positive(path: &str, value: Seconds) -> Check {
    if value.0 == 0 {
        fail(path, "must be greater than 0")?;
    }
    Ok(())
}

fn at_least(path: &str, value: Seconds, other_path: &str, other: Seconds) -> Check {
    if value < other {
        fail(path, format!("must be greater than or equal to {other_path}"))?;
    }
    Ok(())
}

fn non_empty(path: impl Into<String>, value: &str) -> Check {
    if value.trim().is_empty() {
        fail(path, "must not be empty")?;
    }
    Ok(())
}

/// A key that signs or authenticates something: strong unless `Shape`.
fn signing_secret(path: &str, secret: &Secret, mode: Mode) -> Check {
    plain_secret(path, secret, true)?;
    if mode == Mode::Shape {
        return Ok(());
    }
    if is_placeholder_secret(secret.expose()) {
        fail(path, PLACEHOLDER)?;
    }
    if secret.expose().chars().count() < MIN_SECRET_LEN {
        fail(path, format!("must be at least {MIN_SECRET_LEN} characters"))?;
    }
    Ok(())
}

/// Any secret: never the display mask, and non-empty when `required`.
fn plain_secret(path: impl Into<String>, secret: &Secret, required: bool) -> Check {
    let path = path.into();
    if secret.expose() == super::SECRET_MASK {
        fail(path.clone(), MASKED)?;
    }
    if required {
        non_empty(path, secret.expose())?;
    }
    Ok(())
}

/// Absolute `http://` or `https://` URL with a host. Deliberately simple:
/// it catches relative paths, other schemes and obvious typos.
fn http_url(path: impl Into<String>, url: &str) -> Check {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    let ok = host.is_some_and(|h| !h.is_empty() && !h.starts_with(':')) && !url.chars().any(char::is_whitespace);
    if !ok {
        fail(path, "must be an absolute http:// or https:// URL with a host")?;
    }
    Ok(())
}

/// Registration allow/deny lists hold bare domains, not addresses or URLs.
fn domains(path: &str, list: &[String]) -> Check {
    for (i, d) in list.iter().enumerate() {
        let bad = d.is_empty() || d.contains('@') || d.contains('/') || d.chars().any(char::is_whitespace);
        if bad {
            fail(format!("{path}[{i}]"), "must be a bare domain such as `example.com` (no `@`, `/` or spaces)")?;
        }
    }
    Ok(())
}

/// A bare address or `Display Name <address>` (the name is the site name in e-mails).
fn looks_like_email(s: &str) -> bool {
    let s = s.trim();
    let addr = match (s.rfind('<'), s.ends_with('>')) {
        (Some(open), true) => &s[open + 1..s.len() - 1],
        _ => s,
    };
    bare_address(addr)
}

fn bare_address(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Plain decimal (`digits[.digits]`) between 0 and 1 inclusive. Checked on
/// the text itself, so no float rounding can let `1.0000000000000001` in.
fn reward_rate(path: &str, rate: &str) -> Check {
    let (int, frac) = match rate.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (rate, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(int) && frac.is_none_or(digits);
    if !well_formed {
        return fail(path, "must be a decimal number such as \"0.1\"");
    }
    let int = int.trim_start_matches('0');
    let in_range = int.is_empty() || (int == "1" && frac.unwrap_or_default().bytes().all(|b| b == b'0'));
    if !in_range {
        return fail(path, "must be between 0 and 1");
    }
    Ok(())
}
