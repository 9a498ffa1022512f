use serde_json::{Value, json};

use super::{SEED_AUTH, assert_strict_err, defaults, seed, seed_value, with};
use crate::config::{
    AffiliateConfig, AuthConfig, ConfigKind, MailerConfig, ModuleConfig, Seconds, ShopConfig, TelecomConfig,
    default_config, parse_document, parse_document_shape, validate_shape, validate_value,
};

#[test]
fn defaults_validate_strictly_and_round_trip() {
    for kind in ConfigKind::ALL {
        let doc = defaults(kind);
        let config = validate_value(kind, &doc).unwrap();
        assert_eq!(config.kind(), kind);
        assert_eq!(config.to_value(), doc, "{kind:?} round trip");
        let reparsed = parse_document(kind, &serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        assert_eq!(reparsed, config);
    }
}

#[test]
fn defaults_deserialize_into_typed_structs() {
    let auth: AuthConfig = serde_json::from_value(defaults(ConfigKind::Auth)).unwrap();
    assert_eq!(auth.jwt.access_token_expiration, Seconds(900));
    assert_eq!(auth.jwt.secret.expose().len(), 64);
    assert_eq!(auth.email_provider.delete_otp_before, Seconds(7200));
    assert!(auth.oauth_providers.providers.is_empty());
    let telecom: TelecomConfig = serde_json::from_value(defaults(ConfigKind::Telecom)).unwrap();
    assert_eq!(telecom.subscribe_link.endpoints[0].endpoint_name, "primary");
    assert_eq!(telecom.uni_proxy_sync.pull_interval, Seconds(60));
    let shop: ShopConfig = serde_json::from_value(defaults(ConfigKind::Shop)).unwrap();
    assert_eq!(shop.max_unpaid_orders, 5);
    let mailer: MailerConfig = serde_json::from_value(defaults(ConfigKind::Mailer)).unwrap();
    assert_eq!((mailer.port, mailer.starttls), (587, true));
    let aff: AffiliateConfig = serde_json::from_value(defaults(ConfigKind::Affiliate)).unwrap();
    assert_eq!(aff.default_reward_rate, "0.1");
}

#[test]
fn default_secrets_are_fresh() {
    let a = default_value(ConfigKind::AdminJwt);
    let b = default_value(ConfigKind::AdminJwt);
    assert_ne!(a["secret"], b["secret"]);
    assert_eq!(a["token_expiration"], json!("864000"));
    assert_eq!(a["issuer"], json!("https://helium.local/admin"));

    fn default_value(kind: ConfigKind) -> Value {
        crate::config::default_value(kind, &mut rand::rng())
    }
}

#[test]
fn seed_examples_pass_shape_validation() {
    for kind in ConfigKind::ALL {
        let config = validate_shape(kind, &seed_value(kind)).unwrap();
        assert_eq!(config.kind(), kind);
        parse_document_shape(kind, seed(kind)).unwrap();
    }
}

#[test]
fn seed_examples_fail_strict_only_on_placeholder_secrets() {
    let placeholder = "placeholder secret";
    for (kind, path) in
        [(ConfigKind::Auth, "jwt.secret"), (ConfigKind::AdminJwt, "secret"), (ConfigKind::Telecom, "vpn_server_token")]
    {
        let mut doc = seed_value(kind);
        assert_strict_err(kind, &doc, path, placeholder);
        // Replacing just that secret makes the document strictly valid.
        let pointer = format!("/{}", path.replace('.', "/"));
        *doc.pointer_mut(&pointer).unwrap() = json!("x".repeat(40));
        validate_value(kind, &doc).unwrap();
    }
    for kind in [ConfigKind::Shop, ConfigKind::Mailer, ConfigKind::Affiliate] {
        validate_value(kind, &seed_value(kind)).unwrap();
        parse_document(kind, seed(kind)).unwrap();
    }
}

#[test]
fn seed_fixture_files_match_embedded_examples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/tests/it/fixtures/seed-config");
    for kind in ConfigKind::ALL {
        let text = std::fs::read_to_string(dir.join(format!("{}.json", kind.key()))).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(file, seed_value(kind), "{kind:?}");
    }
}

#[test]
fn unknown_nested_field_reports_path() {
    let mut doc = defaults(ConfigKind::Auth);
    doc["jwt"]["foo"] = json!(1);
    let err = validate_value(ConfigKind::Auth, &doc).unwrap_err();
    assert_eq!(err.path, "jwt.foo");
    assert!(err.reason.starts_with("unknown field `foo`, expected one of"), "{err}");

    let mut doc = defaults(ConfigKind::Telecom);
    doc["subscribe_link"]["endpoints"][0]["weight"] = json!(1);
    let err = validate_value(ConfigKind::Telecom, &doc).unwrap_err();
    assert_eq!(err.path, "subscribe_link.endpoints[0].weight");
    assert!(err.reason.contains("unknown field `weight`"), "{err}");
}

#[test]
fn missing_field_is_reported() {
    let mut doc = defaults(ConfigKind::AdminJwt);
    doc.as_object_mut().unwrap().remove("secret");
    let err = validate_value(ConfigKind::AdminJwt, &doc).unwrap_err();
    assert_eq!(err.path, "secret", "the missing field itself is named");
    assert_eq!(err.reason, "missing field `secret`");

    let mut doc = defaults(ConfigKind::Auth);
    doc["jwt"].as_object_mut().unwrap().remove("issuer");
    let err = validate_value(ConfigKind::Auth, &doc).unwrap_err();
    assert_eq!(err.path, "jwt.issuer");
    assert_eq!(err.reason, "missing field `issuer`");
}

#[test]
fn wrong_type_is_reported() {
    let doc = with(ConfigKind::Auth, "/jwt/access_token_expiration", json!(300));
    let err = validate_value(ConfigKind::Auth, &doc).unwrap_err();
    assert_eq!(err.path, "jwt.access_token_expiration");
    assert!(err.reason.starts_with("invalid type: integer `300`, expected a string of whole seconds"), "{err}");

    let doc = with(ConfigKind::Mailer, "/starttls", json!("yes"));
    assert_strict_err(ConfigKind::Mailer, &doc, "starttls", "invalid type");
    let doc = with(ConfigKind::Shop, "/max_unpaid_orders", json!("5"));
    assert_strict_err(ConfigKind::Shop, &doc, "max_unpaid_orders", "invalid type");
    let doc = with(ConfigKind::Mailer, "/port", json!(70000));
    assert_strict_err(ConfigKind::Mailer, &doc, "port", "invalid value");
    let err = validate_value(ConfigKind::Shop, &json!([])).unwrap_err();
    assert_eq!(err.path, ".");
}

#[test]
fn malformed_duration_is_reported() {
    let doc = with(ConfigKind::Auth, "/email_provider/resend_interval", json!("5m"));
    let err = assert_strict_err(
        ConfigKind::Auth,
        &doc,
        "email_provider.resend_interval",
        "expected a string of whole seconds, e.g. \"300\"",
    );
    assert!(err.to_string().starts_with("email_provider.resend_interval: "));
}

#[test]
fn invalid_json_syntax_has_empty_path_and_position() {
    // The seed's auth example had a trailing comma.
    let broken = SEED_AUTH.replacen("\"300\"}}", "\"300\"},}", 1);
    let err = parse_document_shape(ConfigKind::Auth, &broken).unwrap_err();
    assert_eq!(err.path, "");
    assert!(err.reason.contains("line 1 column"), "{err}");

    let err = parse_document(ConfigKind::Shop, "{\n  \"max_unpaid_orders\": 5,\n").unwrap_err();
    assert_eq!(err.path, "");
    assert!(err.reason.contains("line 3"), "{err}");

    let err = parse_document(ConfigKind::Affiliate, &format!("{} x", seed(ConfigKind::Affiliate))).unwrap_err();
    assert_eq!(err.path, "");
    assert!(err.reason.contains("trailing characters"), "{err}");
}

#[test]
fn parse_document_reports_paths_and_duplicates() {
    let text = r#"{"max_unpaid_orders":5,"auto_cancel_after":"soon","epay_notify_url":"http://a","epay_return_url":"http://b"}"#;
    let err = parse_document(ConfigKind::Shop, text).unwrap_err();
    assert_eq!(err.path, "auto_cancel_after");
    assert!(err.reason.contains("line 1 column"), "{err}");

    let text = r#"{"max_invite_code_per_user":1,"max_invite_code_per_user":2,"default_reward_rate":"0.1","default_trigger_time_per_user":3}"#;
    let err = parse_document(ConfigKind::Affiliate, text).unwrap_err();
    assert!(err.reason.contains("duplicate field"), "{err}");
}

#[test]
fn debug_output_hides_secrets() {
    for kind in [ConfigKind::Auth, ConfigKind::AdminJwt, ConfigKind::Telecom] {
        let config = default_config(kind, &mut super::rng());
        let debug = format!("{config:?}");
        let doc = config.to_value();
        let secret = match &config {
            ModuleConfig::Auth(c) => c.jwt.secret.expose().to_owned(),
            ModuleConfig::AdminJwt(c) => c.secret.expose().to_owned(),
            ModuleConfig::Telecom(c) => c.vpn_server_token.expose().to_owned(),
            _ => unreachable!(),
        };
        assert!(!debug.contains(&secret), "{kind:?} leaks in Debug");
        assert!(debug.contains("********"));
        assert!(doc.to_string().contains(&secret));
    }
    let mailer: MailerConfig = serde_json::from_str(seed(ConfigKind::Mailer)).unwrap();
    assert!(!format!("{mailer:?}").contains("your-smtp-password"));
    let auth: AuthConfig = serde_json::from_str(SEED_AUTH).unwrap();
    assert!(!format!("{auth:?}").contains("your-google-client-secret"));
}
