//! Default documents, used to seed a fresh database.
//!
//! Secrets are generated per call instead of being constants, so no two
//! installations share a signing key and no default is a known value.

use super::{
    AdminJwtConfig, AffiliateConfig, AuthConfig, ConfigKind, EmailProviderConfig, JwtConfig, MailerConfig,
    ModuleConfig, NodeHealthCheckConfig, OauthProvidersConfig, RegisterDomainConfig, Seconds, Secret, ShopConfig,
    SubscribeEndpoint, SubscribeLinkConfig, TelecomConfig, UniProxySyncConfig, generate_secret,
};

/// The full default document for `kind`, with freshly random secrets.
pub fn default_value(kind: ConfigKind, rng: &mut (impl rand::RngCore + ?Sized)) -> serde_json::Value {
    default_config(kind, rng).to_value()
}

/// Typed form of [`default_value`].
pub fn default_config(kind: ConfigKind, rng: &mut (impl rand::RngCore + ?Sized)) -> ModuleConfig {
    match kind {
        ConfigKind::Auth => ModuleConfig::Auth(AuthConfig {
            email_provider: EmailProviderConfig {
                register_domain: RegisterDomainConfig {
                    enable_white_list: false,
                    white_list: Vec::new(),
                    enable_black_list: false,
                    black_list: Vec::new(),
                },
                otp_expire_after: Seconds(300),
                delete_otp_before: Seconds(7200),
                magic_link_expire_after: Seconds(1800),
                magic_link_delete_before: Seconds(14400),
                resend_interval: Seconds(30),
            },
            jwt: JwtConfig {
                secret: Secret(generate_secret(rng)),
                refresh_token_expiration: Seconds(2_592_000),
                access_token_expiration: Seconds(900),
                issuer: "https://helium.local".into(),
                access_audience: "helium_cloud".into(),
                refresh_audience: "helium_cloud_auth".into(),
            },
            oauth_providers: OauthProvidersConfig { providers: Vec::new(), challenge_expiration: Seconds(300) },
        }),
        ConfigKind::AdminJwt => ModuleConfig::AdminJwt(AdminJwtConfig {
            secret: Secret(generate_secret(rng)),
            token_expiration: Seconds(864_000),
            issuer: "https://helium.local/admin".into(),
            audience: "HeliumAdmin".into(),
            invitation_expiration: Seconds(72 * 3600),
        }),
        ConfigKind::Telecom => ModuleConfig::Telecom(TelecomConfig {
            node_health_check: NodeHealthCheckConfig { offline_timeout: Seconds(600) },
            subscribe_link: SubscribeLinkConfig {
                endpoints: vec![SubscribeEndpoint {
                    url_template: "http://localhost:8080/subscribe/{SUBSCRIBE_TOKEN}".into(),
                    endpoint_name: "primary".into(),
                }],
            },
            uni_proxy_sync: UniProxySyncConfig { push_interval: Seconds(30), pull_interval: Seconds(60) },
            package_expiring_lead: Seconds(24 * 3600),
            vpn_server_token: Secret(generate_secret(rng)),
            vpn_server_token_previous: Secret::default(),
        }),
        ConfigKind::Shop => ModuleConfig::Shop(ShopConfig {
            max_unpaid_orders: 5,
            auto_cancel_after: Seconds(1800),
            epay_notify_url: "http://localhost:8080/webhooks/epay/notify".into(),
            epay_return_url: "http://localhost:8080/payment/success".into(),
            currency: "CNY".into(),
            top_up_min: 100,
            top_up_max: 10_000_000,
        }),
        ConfigKind::Affiliate => ModuleConfig::Affiliate(AffiliateConfig {
            max_invite_code_per_user: 10,
            default_reward_rate: "0.1".into(),
            default_trigger_time_per_user: 3,
            enabled: true,
            commission_hold_period: Seconds(7 * 24 * 3600),
            signup_velocity_alert_per_hour: 20,
        }),
        ConfigKind::Mailer => ModuleConfig::Mailer(MailerConfig {
            host: "127.0.0.1".into(),
            port: 587,
            username: String::new(),
            password: Secret(String::new()),
            sender: "noreply@helium.local".into(),
            starttls: true,
        }),
    }
}
