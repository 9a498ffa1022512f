//! OAuth / OIDC rules that need no I/O: which protocol a configured provider speaks, where its
//! endpoints are, which redirect URIs and issuers are acceptable.

use crate::config::OauthProviderConfig;

pub use crate::config::providers::{
    DISCORD, GITHUB, GOOGLE_ISSUER, MICROSOFT_ISSUER, OIDC_SCOPES, PlainEndpoints, ProviderKind, issuer_url_acceptable,
};

/// A configured provider resolved to its protocol. A configured `issuer` always means OIDC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Oidc { issuer: String },
    Plain { kind: ProviderKind, endpoints: PlainEndpoints },
}

pub fn resolve(cfg: &OauthProviderConfig) -> Option<Resolved> {
    if let Some(issuer) = &cfg.issuer {
        return Some(Resolved::Oidc { issuer: issuer.trim_end_matches('/').to_owned() });
    }
    match ProviderKind::builtin(&cfg.name)? {
        (ProviderKind::Oidc, Some(issuer)) => Some(Resolved::Oidc { issuer: issuer.to_owned() }),
        (ProviderKind::Github, _) => Some(Resolved::Plain { kind: ProviderKind::Github, endpoints: GITHUB }),
        (ProviderKind::Discord, _) => Some(Resolved::Plain { kind: ProviderKind::Discord, endpoints: DISCORD }),
        (ProviderKind::Oidc, None) => None,
    }
}

/// The provider named in a request path (`google`, `GitHub`…), matched case-insensitively.
pub fn find<'a>(providers: &'a [OauthProviderConfig], name: &str) -> Option<&'a OauthProviderConfig> {
    providers.iter().find(|p| p.name.trim().eq_ignore_ascii_case(name.trim()))
}

/// The redirect URI to use: the configured default when none is asked for, else an exact
/// member of the allow list (no prefix or pattern matching: open redirects start there).
pub fn redirect_uri<'a>(cfg: &'a OauthProviderConfig, asked: Option<&'a str>) -> Option<&'a str> {
    match asked {
        None => Some(cfg.redirect_uri.as_str()),
        Some(uri) if uri == cfg.redirect_uri || cfg.allowed_redirect_uris.iter().any(|a| a == uri) => Some(uri),
        Some(_) => None,
    }
}

/// Whether an ID token's `iss` is the provider's. Exact match, except Microsoft's multi-tenant
/// endpoint, whose tokens name the user's tenant: `https://login.microsoftonline.com/{tid}/v2.0`.
pub fn issuer_matches(expected: &str, iss: &str, tid: Option<&str>) -> bool {
    if expected == MICROSOFT_ISSUER {
        return tid.is_some_and(|tid| {
            !tid.is_empty()
                && tid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && iss == format!("https://login.microsoftonline.com/{tid}/v2.0")
        });
    }
    expected == iss
}

/// Scopes to request: the configured ones, else the kind's defaults.
pub fn scopes(cfg: &OauthProviderConfig, resolved: &Resolved) -> String {
    match (&cfg.scopes, resolved) {
        (Some(s), _) if !s.is_empty() => s.join(" "),
        (_, Resolved::Oidc { .. }) => OIDC_SCOPES.join(" "),
        (_, Resolved::Plain { endpoints, .. }) => endpoints.scopes.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn provider(name: &str, issuer: Option<&str>) -> OauthProviderConfig {
        OauthProviderConfig {
            name: name.to_owned(),
            client_id: "id".to_owned(),
            client_secret: Secret::new("s".to_owned()),
            redirect_uri: "https://app.example/cb".to_owned(),
            issuer: issuer.map(str::to_owned),
            allowed_redirect_uris: vec!["https://app.example/other".to_owned()],
            scopes: None,
        }
    }

    #[test]
    fn builtins_resolve_and_unknown_names_need_an_issuer() {
        assert_eq!(resolve(&provider("Google", None)), Some(Resolved::Oidc { issuer: GOOGLE_ISSUER.to_owned() }));
        assert!(matches!(resolve(&provider("GitHub", None)), Some(Resolved::Plain { kind: ProviderKind::Github, .. })));
        assert!(matches!(
            resolve(&provider("discord", None)),
            Some(Resolved::Plain { kind: ProviderKind::Discord, .. })
        ));
        assert_eq!(resolve(&provider("acme", None)), None);
        assert_eq!(
            resolve(&provider("acme", Some("https://id.acme.test/"))),
            Some(Resolved::Oidc { issuer: "https://id.acme.test".to_owned() })
        );
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let p = provider("google", None);
        assert_eq!(redirect_uri(&p, None), Some("https://app.example/cb"));
        assert_eq!(redirect_uri(&p, Some("https://app.example/other")), Some("https://app.example/other"));
        assert_eq!(redirect_uri(&p, Some("https://app.example/cb/../evil")), None);
        assert_eq!(redirect_uri(&p, Some("https://app.example/cb?x=1")), None);
        assert_eq!(redirect_uri(&p, Some("https://evil.example/cb")), None);
    }

    #[test]
    fn issuers_need_tls_except_on_loopback() {
        assert!(issuer_url_acceptable("https://accounts.google.com"));
        assert!(issuer_url_acceptable("http://127.0.0.1:8080"));
        assert!(issuer_url_acceptable("http://localhost:9000/realms/x"));
        assert!(!issuer_url_acceptable("http://evil.example"));
        assert!(!issuer_url_acceptable("http://127.0.0.1.evil.example"));
        assert!(!issuer_url_acceptable("ftp://x"));
        assert!(!issuer_url_acceptable("https://"));
    }

    #[test]
    fn microsoft_tokens_name_their_tenant() {
        let tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
        let iss = format!("https://login.microsoftonline.com/{tid}/v2.0");
        assert!(issuer_matches(MICROSOFT_ISSUER, &iss, Some(tid)));
        assert!(!issuer_matches(MICROSOFT_ISSUER, &iss, Some("other")));
        assert!(!issuer_matches(MICROSOFT_ISSUER, &iss, None));
        assert!(issuer_matches("https://id.acme.test", "https://id.acme.test", None));
        assert!(!issuer_matches("https://id.acme.test", "https://id.acme.test/", None));
    }
}
