//! Shared handles every handler and worker receives.

use std::sync::Arc;

use helium_infra::admin::{AdminContext, AdminServices};
use helium_infra::auth::oauth_client::OauthClient;
use helium_infra::auth::{AuthContext, AuthServices};
use helium_infra::db::Db;
use helium_infra::identity::keyring::DataKey;
use helium_infra::market::{MarketContext, MarketServices};
use helium_infra::notify::webhooks::{WebhookServices, WebhookSettings};
use helium_infra::notify::{NotifyContext, NotifyServices};
use helium_infra::shop::{ShopContext, ShopServices};
use helium_infra::support::{SupportContext, SupportServices};
use helium_infra::telecom::snapshots::Snapshots;
use helium_infra::telecom::{TelecomContext, TelecomServices};
use helium_infra::wallet::{WalletContext, WalletServices};
use helium_infra::{ConfigStore, MqHandle, RedisHandle};
use sqlx::PgPool;

use crate::limits::RateLimits;

/// Cheap to clone (one reference count): every middleware layer and handler takes a copy.
#[derive(Clone)]
pub struct AppState(Arc<Handles>);

#[derive(Clone)]
pub struct Handles {
    pub db: Db,
    pub redis: RedisHandle,
    pub mq: MqHandle,
    pub config: ConfigStore,
    pub rate_limits: Arc<RateLimits>,
    /// Customer identity use cases.
    pub auth: AuthServices,
    /// Staff identity and governance use cases.
    pub admin: AdminServices,
    /// Groups, catalog, coupons, orders, payments.
    pub shop: ShopServices,
    /// Nodes, packages, subscriptions, the node API.
    pub telecom: TelecomServices,
    /// Wallets, the ledger, gift cards.
    pub wallet: WalletServices,
    /// Invite codes, referrals, commissions.
    pub market: MarketServices,
    /// Announcements, notification preferences.
    pub notify: NotifyServices,
    /// Support tickets.
    pub support: SupportServices,
    /// Outgoing webhooks: endpoints, fan-out, sender.
    pub webhooks: WebhookServices,
    /// Seals TOTP seeds and e-mailed secrets; keys the audit chain.
    pub keys: DataKey,
    /// Set once start-up (migrations, config) finished; /readyz reports not ready before.
    pub started: Arc<std::sync::atomic::AtomicBool>,
}

const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

/// The use-case services of every domain, over the shared handles.
struct Services {
    auth: AuthServices,
    admin: AdminServices,
    shop: ShopServices,
    wallet: WalletServices,
    telecom: TelecomServices,
    market: MarketServices,
    notify: NotifyServices,
    support: SupportServices,
}

fn services(db: &Db, config: &ConfigStore, redis: &RedisHandle, keys: &DataKey, public_url: &str) -> Services {
    let auth = AuthServices::new(AuthContext {
        db: db.clone(),
        config: config.clone(),
        redis: redis.clone(),
        public_url: public_url.to_owned(),
        keys: keys.clone(),
        oauth: OauthClient::new(),
    });
    let admin = AdminServices::new(AdminContext {
        db: db.clone(),
        config: config.clone(),
        redis: redis.clone(),
        admin_url: format!("{}/admin", public_url.trim_end_matches('/')),
        keys: keys.clone(),
    });
    let shop = ShopServices::new(ShopContext {
        db: db.clone(),
        config: config.clone(),
        redis: redis.clone(),
        keys: keys.clone(),
        public_url: public_url.to_owned(),
    });
    let wallet = WalletServices::new(WalletContext {
        db: db.clone(),
        config: config.clone(),
        redis: redis.clone(),
        keys: keys.clone(),
    });
    let telecom = TelecomServices::new(TelecomContext {
        db: db.clone(),
        config: config.clone(),
        redis: redis.clone(),
        keys: keys.clone(),
        snapshots: std::sync::Arc::new(Snapshots::new(redis.clone())),
        public_url: public_url.to_owned(),
    });
    let market = MarketServices::new(MarketContext { db: db.clone(), config: config.clone(), keys: keys.clone() });
    let notify = NotifyServices::new(NotifyContext {
        db: db.clone(),
        config: config.clone(),
        keys: keys.clone(),
        public_url: public_url.to_owned(),
    });
    let support =
        SupportServices::new(SupportContext { db: db.clone(), keys: keys.clone(), public_url: public_url.to_owned() });
    Services { auth, admin, shop, wallet, telecom, market, notify, support }
}

impl AppState {
    pub fn new(pool: PgPool, redis: RedisHandle, mq: MqHandle) -> Self {
        let db = Db::new(pool.clone());
        let config = ConfigStore::new(db.clone(), redis.clone());
        let keys = DataKey::default();
        let Services { auth, admin, shop, wallet, telecom, market, notify, support } =
            services(&db, &config, &redis, &keys, DEFAULT_PUBLIC_URL);
        let webhooks = WebhookServices::new(db.clone(), keys.clone(), WebhookSettings::default());
        Self(Arc::new(Handles {
            webhooks,
            db,
            redis,
            mq,
            config,
            rate_limits: Arc::new(RateLimits::default()),
            auth,
            admin,
            shop,
            wallet,
            telecom,
            market,
            notify,
            support,
            keys,
            started: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        }))
    }

    /// Changes a handle while the state is being assembled (before it is shared).
    fn edit(mut self, f: impl FnOnce(&mut Handles)) -> Self {
        f(Arc::make_mut(&mut self.0));
        self
    }

    pub fn with_rate_limits(self, limits: RateLimits) -> Self {
        self.edit(|h| h.rate_limits = Arc::new(limits))
    }

    /// Base URL of the customer web app, used in e-mailed links (`/admin` under it for staff).
    pub fn with_public_url(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.edit(|h| h.rebuild_services(&url))
    }

    /// The data-encryption key from DATA_ENCRYPTION_KEY (else one is generated into the keyring)
    /// and, during a rotation, DATA_ENCRYPTION_KEY_PREVIOUS.
    pub fn with_data_key(self, key: Option<[u8; 32]>, previous: Option<[u8; 32]>) -> Self {
        if key.is_none() {
            return self;
        }
        self.edit(|h| {
            h.keys = DataKey::from_settings(key, previous);
            let url = h.auth.context.public_url.clone();
            h.rebuild_services(&url);
        })
    }

    /// A streaming replica (DATABASE_READ_URL) for the reads that tolerate its lag.
    pub fn with_read_pool(self, replica: Option<PgPool>) -> Self {
        if replica.is_none() {
            return self;
        }
        self.edit(|h| {
            h.db = h.db.clone().with_replica(replica);
            h.config = ConfigStore::new(h.db.clone(), h.redis.clone());
            let url = h.auth.context.public_url.clone();
            h.rebuild_services(&url);
        })
    }

    /// Outgoing-webhook settings (test flag, retry schedule).
    pub fn with_webhook_settings(self, settings: WebhookSettings) -> Self {
        self.edit(|h| h.webhooks = WebhookServices::new(h.db.clone(), h.keys.clone(), settings))
    }

    /// The database pool (readiness, metrics, workers that own their connections).
    pub fn pool(&self) -> &PgPool {
        self.db.pool()
    }
}

impl Handles {
    fn rebuild_services(&mut self, public_url: &str) {
        let Services { auth, admin, shop, wallet, telecom, market, notify, support } =
            services(&self.db, &self.config, &self.redis, &self.keys, public_url);
        (self.auth, self.admin, self.shop, self.wallet, self.telecom, self.market, self.notify, self.support) =
            (auth, admin, shop, wallet, telecom, market, notify, support);
        let webhook_settings = self.webhooks.context.settings.clone();
        self.webhooks = WebhookServices::new(self.db.clone(), self.keys.clone(), webhook_settings);
    }
}

impl std::ops::Deref for AppState {
    type Target = Handles;

    fn deref(&self) -> &Handles {
        &self.0
    }
}
