//! The typed shape of each configuration document.
//!
//! Every field is required and unknown fields are rejected: a misspelled
//! key in a hand-edited document should fail loudly instead of leaving the
//! real setting at some implicit default.

use serde::{Deserialize, Serialize};

use super::{ConfigKind, Seconds, Secret};

/// `auth`: end-user login (email OTP / magic link, JWTs, OAuth).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub email_provider: EmailProviderConfig,
    pub jwt: JwtConfig,
    pub oauth_providers: OauthProvidersConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailProviderConfig {
    pub register_domain: RegisterDomainConfig,
    pub otp_expire_after: Seconds,
    pub delete_otp_before: Seconds,
    pub magic_link_expire_after: Seconds,
    pub magic_link_delete_before: Seconds,
    pub resend_interval: Seconds,
}

/// Which email domains may register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterDomainConfig {
    pub enable_white_list: bool,
    pub white_list: Vec<String>,
    pub enable_black_list: bool,
    pub black_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    pub secret: Secret,
    pub refresh_token_expiration: Seconds,
    pub access_token_expiration: Seconds,
    pub issuer: String,
    pub access_audience: String,
    pub refresh_audience: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OauthProvidersConfig {
    pub providers: Vec<OauthProviderConfig>,
    pub challenge_expiration: Seconds,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OauthProviderConfig {
    pub name: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// OIDC issuer (discovery at `{issuer}/.well-known/openid-configuration`). Required for
    /// every provider except the built-in `google`, `microsoft`, `github` and `discord`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Further redirect URIs a client may ask for (exact match), besides `redirect_uri`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_redirect_uris: Vec<String>,
    /// Scopes to request; the provider kind's defaults when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// `admin-jwt`: tokens for the admin console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminJwtConfig {
    pub secret: Secret,
    pub token_expiration: Seconds,
    pub issuer: String,
    pub audience: String,
    /// How long a staff invitation link stays valid (default 72 h).
    #[serde(default = "default_invitation_expiration")]
    pub invitation_expiration: Seconds,
}

fn default_invitation_expiration() -> Seconds {
    Seconds(72 * 3600)
}

/// `telecom`: VPN nodes, subscription links and node sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelecomConfig {
    pub node_health_check: NodeHealthCheckConfig,
    pub subscribe_link: SubscribeLinkConfig,
    pub uni_proxy_sync: UniProxySyncConfig,
    pub vpn_server_token: Secret,
    /// The token being replaced, still accepted while agents move to `vpn_server_token`
    /// (empty when no rotation is under way): rotating never cuts every node off at once.
    #[serde(default, skip_serializing_if = "Secret::is_empty")]
    pub vpn_server_token_previous: Secret,
    /// How long before a package ends `package.expiring` is announced (reminder e-mail,
    /// auto-renewal from the wallet).
    #[serde(default = "default_expiring_lead")]
    pub package_expiring_lead: Seconds,
}

fn default_expiring_lead() -> Seconds {
    Seconds(24 * 3600)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeHealthCheckConfig {
    pub offline_timeout: Seconds,
}

impl NodeHealthCheckConfig {
    /// Agents last heard from before this are offline (the timeout capped at a year).
    pub fn offline_cutoff(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        let secs = i64::try_from(self.offline_timeout.0).unwrap_or(i64::MAX).min(86_400 * 365);
        now - chrono::Duration::seconds(secs)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeLinkConfig {
    pub endpoints: Vec<SubscribeEndpoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeEndpoint {
    /// Must contain `{SUBSCRIBE_TOKEN}`, replaced per user.
    pub url_template: String,
    pub endpoint_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniProxySyncConfig {
    pub push_interval: Seconds,
    pub pull_interval: Seconds,
}

/// `shop`: orders and the epay payment gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopConfig {
    pub max_unpaid_orders: u32,
    pub auto_cancel_after: Seconds,
    pub epay_notify_url: String,
    pub epay_return_url: String,
    /// The one shop currency (ISO 4217); every price and balance is in its minor units.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Wallet top-up bounds, minor units.
    #[serde(default = "default_top_up_min")]
    pub top_up_min: i64,
    #[serde(default = "default_top_up_max")]
    pub top_up_max: i64,
}

fn default_currency() -> String {
    "CNY".to_owned()
}

fn default_top_up_min() -> i64 {
    100
}

fn default_top_up_max() -> i64 {
    10_000_000
}

/// `mailer`: outgoing SMTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailerConfig {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: Secret,
    pub sender: String,
    pub starttls: bool,
}

/// `affiliate` (a.k.a. market): invite codes and rewards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffiliateConfig {
    pub max_invite_code_per_user: u32,
    /// Decimal in `[0, 1]` kept as text so no precision is lost before it
    /// reaches a decimal type elsewhere.
    pub default_reward_rate: String,
    pub default_trigger_time_per_user: u32,
    /// Referrals on or off for everyone (a per-customer policy can only turn them off).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// How long a commission stays `pending` (refundable) before it can be withdrawn.
    #[serde(default = "default_commission_hold")]
    pub commission_hold_period: Seconds,
    /// Sign-ups on one invite code within an hour above which a farming alert is logged.
    #[serde(default = "default_velocity_alert")]
    pub signup_velocity_alert_per_hour: u32,
}

fn default_true() -> bool {
    true
}

fn default_commission_hold() -> Seconds {
    Seconds(7 * 24 * 3600)
}

fn default_velocity_alert() -> u32 {
    20
}

/// A parsed document of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ModuleConfig {
    Auth(AuthConfig),
    AdminJwt(AdminJwtConfig),
    Telecom(TelecomConfig),
    Shop(ShopConfig),
    Affiliate(AffiliateConfig),
    Mailer(MailerConfig),
}

impl ModuleConfig {
    pub fn kind(&self) -> ConfigKind {
        match self {
            ModuleConfig::Auth(_) => ConfigKind::Auth,
            ModuleConfig::AdminJwt(_) => ConfigKind::AdminJwt,
            ModuleConfig::Telecom(_) => ConfigKind::Telecom,
            ModuleConfig::Shop(_) => ConfigKind::Shop,
            ModuleConfig::Affiliate(_) => ConfigKind::Affiliate,
            ModuleConfig::Mailer(_) => ConfigKind::Mailer,
        }
    }

    /// The document as stored in the table (secrets included, unmasked).
    pub fn to_value(&self) -> serde_json::Value {
        let value = match self {
            ModuleConfig::Auth(c) => serde_json::to_value(c),
            ModuleConfig::AdminJwt(c) => serde_json::to_value(c),
            ModuleConfig::Telecom(c) => serde_json::to_value(c),
            ModuleConfig::Shop(c) => serde_json::to_value(c),
            ModuleConfig::Affiliate(c) => serde_json::to_value(c),
            ModuleConfig::Mailer(c) => serde_json::to_value(c),
        };
        // These structs only contain strings, numbers, bools and vectors,
        // so serialization cannot fail; Null is an unreachable fallback.
        value.unwrap_or_default()
    }
}
