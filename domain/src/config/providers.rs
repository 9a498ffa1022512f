//! The OAuth / OIDC providers Helium knows by name and where their endpoints are: part of
//! what a configured provider means, shared by configuration validation and the sign-in rules
//! (`auth::oauth`).

/// How Helium talks to a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// OpenID Connect with discovery from the issuer (Google, Microsoft, any configured issuer).
    Oidc,
    /// Plain OAuth 2.0 plus GitHub's REST user and e-mail endpoints.
    Github,
    /// Plain OAuth 2.0 plus Discord's `users/@me`.
    Discord,
}

pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Microsoft's multi-tenant issuer; ID tokens carry the tenant's own issuer (see `issuer_matches`).
pub const MICROSOFT_ISSUER: &str = "https://login.microsoftonline.com/common/v2.0";

/// Fixed endpoints of the non-OIDC providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainEndpoints {
    pub authorize: &'static str,
    pub token: &'static str,
    pub scopes: &'static [&'static str],
}

pub const GITHUB: PlainEndpoints = PlainEndpoints {
    authorize: "https://github.com/login/oauth/authorize",
    token: "https://github.com/login/oauth/access_token",
    scopes: &["read:user", "user:email"],
};

pub const DISCORD: PlainEndpoints = PlainEndpoints {
    authorize: "https://discord.com/oauth2/authorize",
    token: "https://discord.com/api/oauth2/token",
    scopes: &["identify", "email"],
};

pub const OIDC_SCOPES: &[&str] = &["openid", "email", "profile"];

impl ProviderKind {
    /// The built-in provider a name denotes (case-insensitive), with its OIDC issuer if any.
    pub fn builtin(name: &str) -> Option<(ProviderKind, Option<&'static str>)> {
        match name.trim().to_ascii_lowercase().as_str() {
            "google" => Some((ProviderKind::Oidc, Some(GOOGLE_ISSUER))),
            "microsoft" => Some((ProviderKind::Oidc, Some(MICROSOFT_ISSUER))),
            "github" => Some((ProviderKind::Github, None)),
            "discord" => Some((ProviderKind::Discord, None)),
            _ => None,
        }
    }
}

/// Issuers are fetched over TLS; plain http is tolerated only for a provider on this machine.
pub fn issuer_url_acceptable(url: &str) -> bool {
    if url.chars().any(char::is_whitespace) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("https://") {
        return !host_of(rest).is_empty();
    }
    lower.strip_prefix("http://").is_some_and(|rest| {
        let host = host_of(rest);
        host == "localhost" || host == "127.0.0.1" || host == "[::1]"
    })
}

fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}
