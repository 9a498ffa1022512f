use crate::config::ConfigKind;

#[test]
fn all_is_in_canonical_order_with_keys() {
    let keys: Vec<_> = ConfigKind::ALL.iter().map(|k| k.key()).collect();
    assert_eq!(keys, ["auth", "admin-jwt", "telecom", "shop", "affiliate", "mailer"]);
}

#[test]
fn display_and_type_names() {
    let names: Vec<_> = ConfigKind::ALL.iter().map(|k| k.display_name()).collect();
    assert_eq!(names, ["Auth", "Admin JWT", "Telecom", "Shop", "Market/Affiliate", "Mailer"]);
    let types: Vec<_> = ConfigKind::ALL.iter().map(|k| k.type_name()).collect();
    assert_eq!(types, ["Auth", "AdminJwt", "Telecom", "Shop", "Affiliate", "Mailer"]);
}

#[test]
fn from_key_is_exact() {
    for kind in ConfigKind::ALL {
        assert_eq!(ConfigKind::from_key(kind.key()), Some(kind));
    }
    assert_eq!(ConfigKind::from_key("admin_jwt"), None);
    assert_eq!(ConfigKind::from_key("Auth"), None);
    assert_eq!(ConfigKind::from_key("market"), None);
    assert_eq!(ConfigKind::from_key(""), None);
}

#[test]
fn parse_accepts_aliases_case_insensitively() {
    let cases = [
        ("auth", ConfigKind::Auth),
        ("AUTH", ConfigKind::Auth),
        ("admin-jwt", ConfigKind::AdminJwt),
        ("ADMIN_JWT", ConfigKind::AdminJwt),
        ("Admin-Jwt", ConfigKind::AdminJwt),
        ("telecom", ConfigKind::Telecom),
        ("Shop", ConfigKind::Shop),
        ("Market", ConfigKind::Affiliate),
        ("affiliate", ConfigKind::Affiliate),
        ("MAILER", ConfigKind::Mailer),
    ];
    for (name, kind) in cases {
        assert_eq!(ConfigKind::parse(name), Some(kind), "{name}");
    }
    for bad in ["", "adminjwt", "admin jwt", "mail", " auth", "markets"] {
        assert_eq!(ConfigKind::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn secret_paths_per_kind() {
    assert_eq!(ConfigKind::Auth.secret_paths(), ["jwt.secret", "oauth_providers.providers[].client_secret"]);
    assert_eq!(ConfigKind::AdminJwt.secret_paths(), ["secret"]);
    assert_eq!(ConfigKind::Telecom.secret_paths(), ["vpn_server_token", "vpn_server_token_previous"]);
    assert_eq!(ConfigKind::Mailer.secret_paths(), ["password"]);
    assert!(ConfigKind::Shop.secret_paths().is_empty());
    assert!(ConfigKind::Affiliate.secret_paths().is_empty());
}
