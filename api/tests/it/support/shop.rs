//! Commerce fixtures: catalog, customers, balances and an Epay gateway simulator process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use helium_domain::audit::Actor;
use helium_domain::config::ConfigKind;
use helium_domain::shop::commands::{ProductInput, SeriesInput, package_terms};
use helium_domain::wallet::commands::Adjustment;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::Harness;

/// The default customer group every new customer joins (migration 20261207000001).
pub const EVERYONE: Uuid = Uuid::from_u128(0x018f0000_0000_7000_8000_000000000001);

/// A published series and a product on sale to everyone at `price` minor units.
pub async fn product(h: &Harness, price: i64) -> Uuid {
    let actor = Actor::cli();
    let catalog = &h.state.shop.catalog;
    let series = catalog.create_series(&actor, &SeriesInput::new("Pro", None).unwrap()).await.unwrap();
    let terms = package_terms(100 << 30, 30, None, Some(3), "none", &[]).unwrap();
    let version = catalog.create_version(&actor, series.id, &terms).await.unwrap();
    catalog.publish_version(&actor, series.id, version.id).await.unwrap();
    let input = ProductInput::new("Pro 30 days", None, price, series.id, &[EVERYONE], true, 0, false).unwrap();
    catalog.create_product(&actor, &input).await.unwrap().id
}

/// A customer without a password (no hashing cost), in the default group.
pub async fn customer(pool: &PgPool) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO auth.users (id, email) VALUES ($1, $2)")
        .bind(id)
        .bind(format!("c-{id}@example.test"))
        .execute(pool)
        .await
        .unwrap();
    id
}

pub async fn deposit(h: &Harness, user_id: Uuid, amount: i64) {
    let cmd = Adjustment::new("deposit", amount, "test funds").unwrap();
    h.state.wallet.wallets.adjust(&Actor::cli(), user_id, &cmd, None).await.unwrap();
}

pub async fn available(pool: &PgPool, user_id: Uuid) -> i64 {
    sqlx::query_scalar("SELECT coalesce((SELECT available FROM wallet.wallets WHERE user_id = $1), 0)")
        .bind(user_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every posting sums to zero and every cached balance equals its entries.
pub async fn assert_ledger_balanced(pool: &PgPool) {
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT posting_id FROM wallet.entries GROUP BY posting_id HAVING sum(amount) <> 0) x",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(unbalanced, 0, "a posting does not sum to zero");
    let drifted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM wallet.wallets w
          WHERE w.available <> coalesce((SELECT sum(amount) FROM wallet.entries e
                                          WHERE e.user_id = w.user_id AND e.account = 'available'), 0)
             OR w.frozen <> coalesce((SELECT sum(amount) FROM wallet.entries e
                                       WHERE e.user_id = w.user_id AND e.account = 'frozen'), 0)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(drifted, 0, "a cached balance differs from its entries");
}

/// Changes fields of the `shop` module configuration.
pub async fn set_shop(h: &Harness, changes: Value) {
    let mut shop = h.state.config.load(ConfigKind::Shop).await.unwrap().unwrap().value;
    for (k, v) in changes.as_object().unwrap() {
        shop[k] = v.clone();
    }
    h.state.config.put(ConfigKind::Shop, &shop, None).await.unwrap();
}

/// The Epay gateway simulator (`deploy/tools/epay_simulator.py`) as a child process.
pub struct EpaySimulator {
    child: Child,
    pub url: String,
}

impl EpaySimulator {
    /// A gateway that knows these merchants (pid, key).
    pub fn start(merchants: &[(&str, &str)]) -> Self {
        let python = std::env::var("HELIUM_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/tools/epay_simulator.py");
        let mut cmd = Command::new(python);
        cmd.arg(script);
        for (pid, key) in merchants {
            cmd.arg("--merchant").arg(format!("{pid}:{key}"));
        }
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("start the Epay simulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("LISTENING ").expect("simulator announces its port").to_owned();
        Self { child, url: format!("http://127.0.0.1:{port}") }
    }

    /// What a customer's browser does with the redirect: the gateway checks and records it.
    pub async fn open(&self, redirect_url: &str) {
        let res = reqwest::get(redirect_url).await.unwrap();
        assert_eq!(res.status(), 200, "the gateway refused the redirect: {}", res.text().await.unwrap());
    }

    /// The customer pays: the gateway notifies (`post`, `get` or `none`).
    pub async fn pay(&self, out_trade_no: &str, notify: &str) -> Value {
        let body = serde_json::json!({ "out_trade_no": out_trade_no, "notify": notify });
        let res = reqwest::Client::new().post(format!("{}/_sim/pay", self.url)).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }
}

impl Drop for EpaySimulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
