//! What a frontend needs before sign-in, derived from module configuration.

use crate::config::AuthConfig;

/// Password length policy (SECURITY.md §1.5): 8–128 characters, no composition rules.
pub const PASSWORD_MIN_LENGTH: u32 = 8;
pub const PASSWORD_MAX_LENGTH: u32 = 128;

/// Subscription output formats (WIRE-FORMATS.md B.2), as `?flag=` values.
pub const SUBSCRIPTION_FORMATS: [&str; 11] = [
    "general",
    "clash",
    "clash_meta",
    "stash",
    "sing_box",
    "surge",
    "surfboard",
    "quantumult_x",
    "loon",
    "shadowrocket",
    "sip008",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicMeta {
    pub registration_open: bool,
    pub oauth_providers: Vec<String>,
}

/// Registration is closed only when a domain allow-list is on and empty (nobody qualifies).
/// Provider names are lower-cased: they are path segments of the OAuth routes.
pub fn public_meta(auth: &AuthConfig) -> PublicMeta {
    let domains = &auth.email_provider.register_domain;
    let registration_open = !(domains.enable_white_list && domains.white_list.is_empty());
    let mut oauth_providers: Vec<String> =
        auth.oauth_providers.providers.iter().map(|p| p.name.to_ascii_lowercase()).collect();
    oauth_providers.sort();
    oauth_providers.dedup();
    PublicMeta { registration_open, oauth_providers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigKind, ModuleConfig, default_value, validate_value};

    fn auth_with(f: impl FnOnce(&mut serde_json::Value)) -> AuthConfig {
        let mut v = default_value(ConfigKind::Auth, &mut rand::rng());
        f(&mut v);
        match validate_value(ConfigKind::Auth, &v).unwrap() {
            ModuleConfig::Auth(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_are_open_without_providers() {
        let m = public_meta(&auth_with(|_| {}));
        assert!(m.registration_open);
        assert!(m.oauth_providers.is_empty());
    }

    #[test]
    fn empty_allow_list_closes_registration_and_providers_are_lowercased() {
        let m = public_meta(&auth_with(|v| {
            v["email_provider"]["register_domain"]["enable_white_list"] = true.into();
            v["oauth_providers"]["providers"] = serde_json::json!([
                {"name": "GitHub", "client_id": "a", "client_secret": "b", "redirect_uri": "https://x.example/cb"},
                {"name": "Google", "client_id": "a", "client_secret": "b", "redirect_uri": "https://x.example/cb"}
            ]);
        }));
        assert!(!m.registration_open);
        assert_eq!(m.oauth_providers, vec!["github", "google"]);
    }
}
