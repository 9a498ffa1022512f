//! Unit tests for the config module. Fixtures are the seed's example
//! documents; rule tests mutate a strictly valid default document.

mod documents;
mod kind;
mod module_rules;
mod rules;
mod seconds;
mod secrets;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;

use super::{ConfigError, ConfigKind, default_value, validate_shape, validate_value};

pub const SEED_AUTH: &str = r#"{"email_provider":{"register_domain":{"enable_white_list":false,"white_list":[],"enable_black_list":false,"black_list":[]},"otp_expire_after":"300","delete_otp_before":"7200","magic_link_expire_after":"1800","magic_link_delete_before":"14400","resend_interval":"30"},"jwt":{"secret":"your-jwt-secret-key-32-characters-long","refresh_token_expiration":"2592000","access_token_expiration":"900","issuer":"https://your-domain.com","access_audience":"helium_cloud","refresh_audience":"helium_cloud_auth"},"oauth_providers":{"providers":[{"name":"Google","client_id":"your-google-client-id","client_secret":"your-google-client-secret","redirect_uri":"https://your-domain.com/auth/oauth/google/callback"},{"name":"GitHub","client_id":"your-github-client-id","client_secret":"your-github-client-secret","redirect_uri":"https://your-domain.com/auth/oauth/github/callback"}],"challenge_expiration":"300"}}"#;
pub const SEED_TELECOM: &str = r#"{"node_health_check":{"offline_timeout":"600"},"subscribe_link":{"endpoints":[{"url_template":"https://subscribe.your-domain.com/subscribe/{SUBSCRIBE_TOKEN}","endpoint_name":"primary"},{"url_template":"https://backup.your-domain.com/subscribe/{SUBSCRIBE_TOKEN}","endpoint_name":"backup"}]},"uni_proxy_sync":{"push_interval":"30","pull_interval":"60"},"vpn_server_token":"secure-random-token-for-vpn-servers"}"#;
pub const SEED_SHOP: &str = r#"{"max_unpaid_orders":5,"auto_cancel_after":"1800","epay_notify_url":"https://your-domain.com/api/webhook/epay/notify","epay_return_url":"https://your-domain.com/payment/success"}"#;
pub const SEED_MAILER: &str = r#"{"host":"smtp.gmail.com","port":587,"username":"your-smtp-username","password":"your-smtp-password","sender":"noreply@your-domain.com","starttls":true}"#;
pub const SEED_ADMIN_JWT: &str = r#"{"secret":"admin-jwt-secret-key-32-characters-long","token_expiration":"864000","issuer":"https://admin.your-domain.com","audience":"HeliumAdmin"}"#;
pub const SEED_AFFILIATE: &str =
    r#"{"max_invite_code_per_user":10,"default_reward_rate":"0.1","default_trigger_time_per_user":3}"#;

/// Seed example text for each kind.
pub fn seed(kind: ConfigKind) -> &'static str {
    match kind {
        ConfigKind::Auth => SEED_AUTH,
        ConfigKind::AdminJwt => SEED_ADMIN_JWT,
        ConfigKind::Telecom => SEED_TELECOM,
        ConfigKind::Shop => SEED_SHOP,
        ConfigKind::Affiliate => SEED_AFFILIATE,
        ConfigKind::Mailer => SEED_MAILER,
    }
}

pub fn seed_value(kind: ConfigKind) -> Value {
    serde_json::from_str(seed(kind)).unwrap()
}

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

pub fn defaults(kind: ConfigKind) -> Value {
    default_value(kind, &mut rng())
}

/// Default document of `kind` with the field at JSON `pointer` replaced.
pub fn with(kind: ConfigKind, pointer: &str, new: Value) -> Value {
    let mut doc = defaults(kind);
    *doc.pointer_mut(pointer).unwrap() = new;
    doc
}

/// Strict validation must fail at `path` with a reason containing `reason`.
pub fn assert_strict_err(kind: ConfigKind, doc: &Value, path: &str, reason: &str) -> ConfigError {
    let err = validate_value(kind, doc).unwrap_err();
    assert_eq!(err.path, path, "unexpected path in {err}");
    assert!(err.reason.contains(reason), "unexpected reason in {err}");
    err
}

/// Both strict and shape validation must fail at `path` (non-secret rules).
pub fn assert_rule(kind: ConfigKind, doc: &Value, path: &str, reason: &str) {
    assert_strict_err(kind, doc, path, reason);
    let err = validate_shape(kind, doc).unwrap_err();
    assert_eq!(err.path, path, "unexpected shape path in {err}");
    assert!(err.reason.contains(reason), "unexpected shape reason in {err}");
}
