use serde_json::json;

use super::{SEED_AUTH, defaults, rng, seed_value};
use crate::config::{ConfigKind, SECRET_MASK, Secret, generate_secret, redact, restore_masked_secrets, validate_value};

#[test]
fn generated_secret_is_64_base64url_chars_and_fresh() {
    let mut rng = rand::rng();
    let a = generate_secret(&mut rng);
    let b = generate_secret(&mut rng);
    assert_eq!(a.len(), 64);
    assert_eq!(b.len(), 64);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    assert_ne!(a, b);
}

#[test]
fn generated_secret_is_deterministic_for_a_seeded_rng() {
    assert_eq!(generate_secret(&mut rng()), generate_secret(&mut rng()));
}

#[test]
fn secret_debug_is_masked_and_serde_is_transparent() {
    let s = Secret::new("hunter2-hunter2");
    assert_eq!(format!("{s:?}"), SECRET_MASK);
    assert_eq!(serde_json::to_value(&s).unwrap(), json!("hunter2-hunter2"));
    let back: Secret = serde_json::from_value(json!("abc")).unwrap();
    assert_eq!(back.expose(), "abc");
    assert!(serde_json::from_value::<Secret>(json!(1)).is_err());
}

#[test]
fn redact_masks_every_present_secret() {
    let doc = seed_value(ConfigKind::Auth);
    let red = redact(ConfigKind::Auth, &doc);
    assert_eq!(red["jwt"]["secret"], json!(SECRET_MASK));
    for p in red["oauth_providers"]["providers"].as_array().unwrap() {
        assert_eq!(p["client_secret"], json!(SECRET_MASK));
        assert_ne!(p["client_id"], json!(SECRET_MASK));
    }
    assert_eq!(red["jwt"]["issuer"], doc["jwt"]["issuer"]);
    assert!(!red.to_string().contains("your-google-client-secret"));

    for (kind, field) in
        [(ConfigKind::AdminJwt, "secret"), (ConfigKind::Telecom, "vpn_server_token"), (ConfigKind::Mailer, "password")]
    {
        let red = redact(kind, &seed_value(kind));
        assert_eq!(red[field], json!(SECRET_MASK), "{kind:?}");
    }
    let shop = seed_value(ConfigKind::Shop);
    assert_eq!(redact(ConfigKind::Shop, &shop), shop);
}

#[test]
fn redact_leaves_empty_and_missing_secrets_alone() {
    let doc = defaults(ConfigKind::Mailer);
    assert_eq!(doc["password"], json!(""));
    assert_eq!(redact(ConfigKind::Mailer, &doc), doc);
    let partial = json!({ "jwt": {} , "oauth_providers": { "providers": "oops" } });
    assert_eq!(redact(ConfigKind::Auth, &partial), partial);
    assert_eq!(redact(ConfigKind::AdminJwt, &json!(42)), json!(42));
}

#[test]
fn redact_then_restore_round_trips() {
    for kind in ConfigKind::ALL {
        let old = seed_value(kind);
        let mut new = redact(kind, &old);
        restore_masked_secrets(kind, &mut new, &old);
        assert_eq!(new, old, "{kind:?}");
    }
    let old = defaults(ConfigKind::Auth);
    let mut new = redact(ConfigKind::Auth, &old);
    new["jwt"]["issuer"] = json!("https://changed.example");
    restore_masked_secrets(ConfigKind::Auth, &mut new, &old);
    assert_eq!(new["jwt"]["secret"], old["jwt"]["secret"]);
    validate_value(ConfigKind::Auth, &new).unwrap();
}

#[test]
fn restore_keeps_explicitly_changed_secrets() {
    let old = defaults(ConfigKind::AdminJwt);
    let mut new = redact(ConfigKind::AdminJwt, &old);
    new["secret"] = json!("a-brand-new-secret-value-0123456789abcdef");
    let expected = new.clone();
    restore_masked_secrets(ConfigKind::AdminJwt, &mut new, &old);
    assert_eq!(new, expected);
}

#[test]
fn restore_matches_providers_by_name_case_insensitively() {
    let old: serde_json::Value = serde_json::from_str(SEED_AUTH).unwrap();
    let mut new = redact(ConfigKind::Auth, &old);
    // Reorder, rename case, and add a provider that has no stored secret.
    let providers = new["oauth_providers"]["providers"].as_array_mut().unwrap();
    providers.reverse();
    providers[0]["name"] = json!("github");
    providers.push(json!({
        "name": "Apple",
        "client_id": "apple-id",
        "client_secret": SECRET_MASK,
        "redirect_uri": "https://example.com/cb"
    }));
    restore_masked_secrets(ConfigKind::Auth, &mut new, &old);
    let providers = &new["oauth_providers"]["providers"];
    assert_eq!(providers[0]["client_secret"], json!("your-github-client-secret"));
    assert_eq!(providers[1]["client_secret"], json!("your-google-client-secret"));
    assert_eq!(providers[2]["client_secret"], json!(SECRET_MASK));
    assert_eq!(new["jwt"]["secret"], old["jwt"]["secret"]);

    let err = crate::config::validate_shape(ConfigKind::Auth, &new).unwrap_err();
    assert_eq!(err.path, "oauth_providers.providers[2].client_secret");
}

#[test]
fn restore_without_old_value_leaves_the_mask() {
    let mut new = json!({ "secret": SECRET_MASK });
    restore_masked_secrets(ConfigKind::AdminJwt, &mut new, &json!({}));
    assert_eq!(new["secret"], json!(SECRET_MASK));
    restore_masked_secrets(ConfigKind::AdminJwt, &mut new, &json!(null));
    assert_eq!(new["secret"], json!(SECRET_MASK));
}
