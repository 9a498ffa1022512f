//! One test per semantic rule of the auth and admin-jwt documents.

use serde_json::{Value, json};

use super::{assert_rule, assert_strict_err, defaults, with};
use crate::config::{ConfigKind, validate_shape, validate_value};

const AUTH: ConfigKind = ConfigKind::Auth;
const ADMIN: ConfigKind = ConfigKind::AdminJwt;
const GT0: &str = "must be greater than 0";

fn provider(name: &str) -> Value {
    json!({
        "name": name,
        "client_id": "id",
        "client_secret": "secret",
        "redirect_uri": "https://example.com/callback"
    })
}

fn auth_with_providers(providers: Vec<Value>) -> Value {
    with(AUTH, "/oauth_providers/providers", Value::Array(providers))
}

#[test]
fn register_domain_entries_must_be_bare_domains() {
    let ok = with(AUTH, "/email_provider/register_domain/white_list", json!(["example.com", "Mail.Example.ORG"]));
    validate_value(AUTH, &ok).unwrap();
    for bad in ["user@example.com", "exa mple.com", "", "https://example.com"] {
        let doc = with(AUTH, "/email_provider/register_domain/white_list", json!(["ok.com", bad]));
        assert_rule(AUTH, &doc, "email_provider.register_domain.white_list[1]", "bare domain");
    }
    let doc = with(AUTH, "/email_provider/register_domain/black_list", json!(["@spam.com"]));
    assert_rule(AUTH, &doc, "email_provider.register_domain.black_list[0]", "bare domain");
}

#[test]
fn auth_durations_must_be_positive() {
    for field in [
        "email_provider/otp_expire_after",
        "email_provider/magic_link_expire_after",
        "email_provider/resend_interval",
        "jwt/access_token_expiration",
        "jwt/refresh_token_expiration",
        "oauth_providers/challenge_expiration",
    ] {
        let doc = with(AUTH, &format!("/{field}"), json!("0"));
        assert_rule(AUTH, &doc, &field.replace('/', "."), GT0);
    }
}

#[test]
fn delete_otp_before_must_not_precede_expiry() {
    let doc = with(AUTH, "/email_provider/delete_otp_before", json!("299"));
    assert_rule(
        AUTH,
        &doc,
        "email_provider.delete_otp_before",
        "greater than or equal to email_provider.otp_expire_after",
    );
    let equal = with(AUTH, "/email_provider/delete_otp_before", json!("300"));
    validate_value(AUTH, &equal).unwrap();
}

#[test]
fn magic_link_delete_before_must_not_precede_expiry() {
    let doc = with(AUTH, "/email_provider/magic_link_delete_before", json!("1799"));
    assert_rule(
        AUTH,
        &doc,
        "email_provider.magic_link_delete_before",
        "greater than or equal to email_provider.magic_link_expire_after",
    );
    let equal = with(AUTH, "/email_provider/magic_link_delete_before", json!("1800"));
    validate_value(AUTH, &equal).unwrap();
}

#[test]
fn refresh_must_outlive_access_token() {
    for refresh in ["900", "899"] {
        let doc = with(AUTH, "/jwt/refresh_token_expiration", json!(refresh));
        assert_rule(AUTH, &doc, "jwt.refresh_token_expiration", "must be greater than jwt.access_token_expiration");
    }
}

#[test]
fn issuer_and_audiences_must_be_non_empty() {
    for field in ["issuer", "access_audience", "refresh_audience"] {
        let doc = with(AUTH, &format!("/jwt/{field}"), json!("  "));
        assert_rule(AUTH, &doc, &format!("jwt.{field}"), "must not be empty");
    }
    for field in ["issuer", "audience"] {
        let doc = with(ADMIN, &format!("/{field}"), json!(""));
        assert_rule(ADMIN, &doc, field, "must not be empty");
    }
}

#[test]
fn signing_secrets_need_32_characters_in_strict_mode() {
    for (kind, pointer, path) in [
        (AUTH, "/jwt/secret", "jwt.secret"),
        (ADMIN, "/secret", "secret"),
        (ConfigKind::Telecom, "/vpn_server_token", "vpn_server_token"),
    ] {
        let doc = with(kind, pointer, json!("a".repeat(31)));
        assert_strict_err(kind, &doc, path, "must be at least 32 characters");
        validate_shape(kind, &doc).unwrap();
        validate_value(kind, &with(kind, pointer, json!("a".repeat(32)))).unwrap();
    }
}

#[test]
fn placeholder_secrets_are_rejected_in_strict_mode() {
    let placeholders = [
        "your-jwt-secret-key-32-characters-long",
        "admin-jwt-secret-key-32-characters-long",
        "secure-random-token-for-vpn-servers",
        "YOUR-very-long-secret-value-0123456789",
        "please-CHANGE-me-0123456789abcdef0123456789",
    ];
    for (kind, pointer, path) in [
        (AUTH, "/jwt/secret", "jwt.secret"),
        (ADMIN, "/secret", "secret"),
        (ConfigKind::Telecom, "/vpn_server_token", "vpn_server_token"),
    ] {
        for value in placeholders {
            let doc = with(kind, pointer, json!(value));
            let err = assert_strict_err(kind, &doc, path, "placeholder secret");
            assert_eq!(err.reason, "placeholder secret; generate a random value (>= 32 characters)");
            validate_shape(kind, &doc).unwrap();
        }
    }
}

#[test]
fn signing_secrets_must_be_non_empty_even_in_shape_mode() {
    for (kind, pointer, path) in [
        (AUTH, "/jwt/secret", "jwt.secret"),
        (ADMIN, "/secret", "secret"),
        (ConfigKind::Telecom, "/vpn_server_token", "vpn_server_token"),
    ] {
        let doc = with(kind, pointer, json!(""));
        assert_rule(kind, &doc, path, "must not be empty");
    }
}

#[test]
fn masked_secrets_are_rejected_in_both_modes() {
    for (kind, pointer, path) in [
        (AUTH, "/jwt/secret", "jwt.secret"),
        (ADMIN, "/secret", "secret"),
        (ConfigKind::Telecom, "/vpn_server_token", "vpn_server_token"),
        (ConfigKind::Mailer, "/password", "password"),
    ] {
        let doc = with(kind, pointer, json!("********"));
        assert_rule(kind, &doc, path, "masked");
    }
    let mut p = provider("google");
    p["client_secret"] = json!("********");
    let doc = auth_with_providers(vec![p]);
    assert_rule(AUTH, &doc, "oauth_providers.providers[0].client_secret", "masked");
}

#[test]
fn provider_name_must_be_non_empty() {
    let doc = auth_with_providers(vec![provider("google"), provider("")]);
    assert_rule(AUTH, &doc, "oauth_providers.providers[1].name", "must not be empty");
}

#[test]
fn provider_names_are_unique_case_insensitively() {
    let ok = auth_with_providers(vec![provider("Google"), provider("GitHub")]);
    validate_value(AUTH, &ok).unwrap();
    let doc = auth_with_providers(vec![provider("Google"), provider("google")]);
    assert_rule(AUTH, &doc, "oauth_providers.providers[1].name", "duplicate provider name");
}

#[test]
fn provider_client_id_must_be_non_empty() {
    let mut p = provider("google");
    p["client_id"] = json!("");
    let doc = auth_with_providers(vec![p]);
    assert_rule(AUTH, &doc, "oauth_providers.providers[0].client_id", "must not be empty");
}

#[test]
fn provider_client_secret_must_be_non_empty() {
    let mut p = provider("google");
    p["client_secret"] = json!("");
    let doc = auth_with_providers(vec![p]);
    assert_rule(AUTH, &doc, "oauth_providers.providers[0].client_secret", "must not be empty");
}

#[test]
fn provider_redirect_uri_must_be_absolute_http() {
    for good in ["http://localhost:8080/cb", "https://example.com", "HTTPS://x.io/a?b=c"] {
        let mut p = provider("google");
        p["redirect_uri"] = json!(good);
        validate_value(AUTH, &auth_with_providers(vec![p])).unwrap();
    }
    for bad in ["/auth/callback", "ftp://example.com/cb", "https://", "https:///cb", "http://:80/"] {
        let mut p = provider("google");
        p["redirect_uri"] = json!(bad);
        let doc = auth_with_providers(vec![p]);
        assert_rule(AUTH, &doc, "oauth_providers.providers[0].redirect_uri", "absolute http");
    }
}

#[test]
fn admin_token_expiration_must_be_positive() {
    let doc = with(ADMIN, "/token_expiration", json!("0"));
    assert_rule(ADMIN, &doc, "token_expiration", GT0);
}

#[test]
fn first_failure_in_document_order_is_reported() {
    let mut doc = defaults(AUTH);
    doc["email_provider"]["resend_interval"] = json!("0");
    doc["jwt"]["issuer"] = json!("");
    assert_rule(AUTH, &doc, "email_provider.resend_interval", GT0);
}

#[test]
fn a_previous_node_token_is_optional_strong_and_not_the_current_one() {
    let kind = ConfigKind::Telecom;
    let base = with(kind, "/vpn_server_token", json!("n".repeat(40)));
    validate_value(kind, &base).unwrap();
    let previous = |v: &str| {
        let mut doc = base.clone();
        doc["vpn_server_token_previous"] = json!(v);
        doc
    };
    validate_value(kind, &previous(&"p".repeat(40))).unwrap();
    assert_strict_err(kind, &previous(&"p".repeat(31)), "vpn_server_token_previous", "at least 32");
    assert_rule(kind, &previous(&"n".repeat(40)), "vpn_server_token_previous", "differ");
    // Empty is "no rotation under way"; the default document does not carry the field.
    validate_value(kind, &previous("")).unwrap();
    assert!(defaults(kind).get("vpn_server_token_previous").is_none());
}
