//! One test per semantic rule of the telecom, shop, mailer and affiliate
//! documents.

use serde_json::{Value, json};

use super::{assert_rule, defaults, with};
use crate::config::{ConfigKind, validate_value};

const TELECOM: ConfigKind = ConfigKind::Telecom;
const SHOP: ConfigKind = ConfigKind::Shop;
const MAILER: ConfigKind = ConfigKind::Mailer;
const AFFILIATE: ConfigKind = ConfigKind::Affiliate;
const GT0: &str = "must be greater than 0";

fn endpoint(url: &str, name: &str) -> Value {
    json!({ "url_template": url, "endpoint_name": name })
}

fn telecom_with_endpoints(endpoints: Vec<Value>) -> Value {
    with(TELECOM, "/subscribe_link/endpoints", Value::Array(endpoints))
}

#[test]
fn telecom_durations_must_be_positive() {
    for field in ["node_health_check/offline_timeout", "uni_proxy_sync/push_interval", "uni_proxy_sync/pull_interval"] {
        let doc = with(TELECOM, &format!("/{field}"), json!("0"));
        assert_rule(TELECOM, &doc, &field.replace('/', "."), GT0);
    }
}

#[test]
fn telecom_needs_at_least_one_endpoint() {
    let doc = telecom_with_endpoints(vec![]);
    assert_rule(TELECOM, &doc, "subscribe_link.endpoints", "at least one endpoint");
}

#[test]
fn endpoint_url_template_must_be_http() {
    let doc = telecom_with_endpoints(vec![endpoint("subscribe/{SUBSCRIBE_TOKEN}", "primary")]);
    assert_rule(TELECOM, &doc, "subscribe_link.endpoints[0].url_template", "absolute http");
}

#[test]
fn endpoint_url_template_must_contain_token() {
    let doc = telecom_with_endpoints(vec![endpoint("https://sub.example.com/s/", "primary")]);
    assert_rule(TELECOM, &doc, "subscribe_link.endpoints[0].url_template", "{SUBSCRIBE_TOKEN}");
}

#[test]
fn endpoint_name_must_be_non_empty() {
    let doc = telecom_with_endpoints(vec![endpoint("https://a.io/{SUBSCRIBE_TOKEN}", " ")]);
    assert_rule(TELECOM, &doc, "subscribe_link.endpoints[0].endpoint_name", "must not be empty");
}

#[test]
fn endpoint_names_must_be_unique() {
    let doc = telecom_with_endpoints(vec![
        endpoint("https://a.io/{SUBSCRIBE_TOKEN}", "primary"),
        endpoint("https://b.io/{SUBSCRIBE_TOKEN}", "Primary"),
    ]);
    assert_rule(TELECOM, &doc, "subscribe_link.endpoints[1].endpoint_name", "duplicate endpoint name");
}

#[test]
fn shop_max_unpaid_orders_at_least_one() {
    let doc = with(SHOP, "/max_unpaid_orders", json!(0));
    assert_rule(SHOP, &doc, "max_unpaid_orders", "must be at least 1");
    validate_value(SHOP, &with(SHOP, "/max_unpaid_orders", json!(1))).unwrap();
}

#[test]
fn shop_auto_cancel_after_must_be_positive() {
    let doc = with(SHOP, "/auto_cancel_after", json!("0"));
    assert_rule(SHOP, &doc, "auto_cancel_after", GT0);
}

#[test]
fn shop_epay_urls_must_be_absolute_http() {
    for field in ["epay_notify_url", "epay_return_url"] {
        for bad in ["/payment/success", "", "mailto:a@b.c", "https://exa mple.com/x"] {
            let doc = with(SHOP, &format!("/{field}"), json!(bad));
            assert_rule(SHOP, &doc, field, "absolute http");
        }
    }
}

#[test]
fn mailer_host_must_be_non_empty() {
    let doc = with(MAILER, "/host", json!(""));
    assert_rule(MAILER, &doc, "host", "must not be empty");
}

#[test]
fn mailer_port_zero_is_rejected() {
    let doc = with(MAILER, "/port", json!(0));
    assert_rule(MAILER, &doc, "port", "between 1 and 65535");
    validate_value(MAILER, &with(MAILER, "/port", json!(65535))).unwrap();
    validate_value(MAILER, &with(MAILER, "/port", json!(1))).unwrap();
}

#[test]
fn mailer_sender_must_look_like_an_email() {
    for good in ["noreply@helium.local", "a@b"] {
        validate_value(MAILER, &with(MAILER, "/sender", json!(good))).unwrap();
    }
    for bad in ["", "noreply", "@helium.local", "noreply@", "a@b@c", "no reply@x.io"] {
        let doc = with(MAILER, "/sender", json!(bad));
        assert_rule(MAILER, &doc, "sender", "email address");
    }
}

#[test]
fn mailer_password_may_be_anything_with_or_without_username() {
    for (username, password) in [("", ""), ("user", ""), ("user", "x"), ("", "short")] {
        let mut doc = defaults(MAILER);
        doc["username"] = json!(username);
        doc["password"] = json!(password);
        validate_value(MAILER, &doc).unwrap();
    }
}

#[test]
fn reward_rate_accepts_decimals_between_0_and_1() {
    for good in ["0.1", "0.10", "1", "0", "0.0", "1.000", "00.5", "0.999999999999"] {
        let doc = with(AFFILIATE, "/default_reward_rate", json!(good));
        validate_value(AFFILIATE, &doc).unwrap();
    }
}

#[test]
fn reward_rate_rejects_non_decimals() {
    for bad in ["abc", "-0.1", "10%", "", ".5", "1.", " 0.1", "0.1 ", "1e-1", "+0.5"] {
        let doc = with(AFFILIATE, "/default_reward_rate", json!(bad));
        assert_rule(AFFILIATE, &doc, "default_reward_rate", "decimal number");
    }
}

#[test]
fn reward_rate_rejects_values_above_1() {
    for bad in ["1.5", "1.0000000000000001", "2", "10"] {
        let doc = with(AFFILIATE, "/default_reward_rate", json!(bad));
        assert_rule(AFFILIATE, &doc, "default_reward_rate", "between 0 and 1");
    }
}

#[test]
fn reward_rate_must_be_a_string() {
    let doc = with(AFFILIATE, "/default_reward_rate", json!(0.1));
    assert_rule(AFFILIATE, &doc, "default_reward_rate", "invalid type");
}

#[test]
fn trigger_time_per_user_at_least_one() {
    let doc = with(AFFILIATE, "/default_trigger_time_per_user", json!(0));
    assert_rule(AFFILIATE, &doc, "default_trigger_time_per_user", "must be at least 1");
}

#[test]
fn max_invite_code_per_user_may_be_zero() {
    let doc = with(AFFILIATE, "/max_invite_code_per_user", json!(0));
    validate_value(AFFILIATE, &doc).unwrap();
    let doc = with(AFFILIATE, "/max_invite_code_per_user", json!(-1));
    assert_rule(AFFILIATE, &doc, "max_invite_code_per_user", "invalid value");
}
