//! The six configuration documents and their names.
//!
//! Each kind has several names because different audiences use different
//! spellings: the database key, a human label for UIs, the Rust type name,
//! and loose CLI aliases.

/// Which module configuration document a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    Auth,
    AdminJwt,
    Telecom,
    Shop,
    Affiliate,
    Mailer,
}

impl ConfigKind {
    /// Every kind, in the canonical order used for listings and seeding.
    pub const ALL: [ConfigKind; 6] = [
        ConfigKind::Auth,
        ConfigKind::AdminJwt,
        ConfigKind::Telecom,
        ConfigKind::Shop,
        ConfigKind::Affiliate,
        ConfigKind::Mailer,
    ];

    /// The key of the row in `application__config`.
    pub fn key(self) -> &'static str {
        match self {
            ConfigKind::Auth => "auth",
            ConfigKind::AdminJwt => "admin-jwt",
            ConfigKind::Telecom => "telecom",
            ConfigKind::Shop => "shop",
            ConfigKind::Affiliate => "affiliate",
            ConfigKind::Mailer => "mailer",
        }
    }

    /// Label for admin UIs and messages.
    pub fn display_name(self) -> &'static str {
        match self {
            ConfigKind::Auth => "Auth",
            ConfigKind::AdminJwt => "Admin JWT",
            ConfigKind::Telecom => "Telecom",
            ConfigKind::Shop => "Shop",
            ConfigKind::Affiliate => "Market/Affiliate",
            ConfigKind::Mailer => "Mailer",
        }
    }

    /// Name of the matching Rust type / API schema, without `Config`.
    pub fn type_name(self) -> &'static str {
        match self {
            ConfigKind::Auth => "Auth",
            ConfigKind::AdminJwt => "AdminJwt",
            ConfigKind::Telecom => "Telecom",
            ConfigKind::Shop => "Shop",
            ConfigKind::Affiliate => "Affiliate",
            ConfigKind::Mailer => "Mailer",
        }
    }

    /// Lenient, case-insensitive lookup for user input (CLI arguments).
    /// The affiliate module is also known as "market" in the seed.
    pub fn parse(name: &str) -> Option<ConfigKind> {
        match name.to_ascii_lowercase().as_str() {
            "auth" => Some(ConfigKind::Auth),
            "admin-jwt" | "admin_jwt" => Some(ConfigKind::AdminJwt),
            "telecom" => Some(ConfigKind::Telecom),
            "shop" => Some(ConfigKind::Shop),
            "market" | "affiliate" => Some(ConfigKind::Affiliate),
            "mailer" => Some(ConfigKind::Mailer),
            _ => None,
        }
    }

    /// Strict lookup by table key; anything else in the table is unknown.
    pub fn from_key(key: &str) -> Option<ConfigKind> {
        ConfigKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// JSON paths of the fields holding secrets, for redaction.
    /// `[]` marks "every element of this array".
    pub fn secret_paths(self) -> &'static [&'static str] {
        match self {
            ConfigKind::Auth => &["jwt.secret", "oauth_providers.providers[].client_secret"],
            ConfigKind::AdminJwt => &["secret"],
            ConfigKind::Telecom => &["vpn_server_token", "vpn_server_token_previous"],
            ConfigKind::Mailer => &["password"],
            ConfigKind::Shop | ConfigKind::Affiliate => &[],
        }
    }
}
