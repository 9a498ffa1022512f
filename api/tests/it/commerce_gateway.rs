//! Epay end to end (issue 13): Helium serves `/webhooks/epay/notify` on a real port and a
//! gateway simulator (`deploy/tools/epay_simulator.py`, its own program) checks our signed
//! redirects, answers order queries and calls back with signed notifies.

use std::net::SocketAddr;

use helium_api::mode::WorkMode;
use helium_domain::audit::Actor;
use helium_domain::shop::commands::{NewOrder, PaymentMethodInput};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::shop::*;
use crate::support::*;

const KEY: &str = "merchant-key-1001";
const OTHER_KEY: &str = "merchant-key-1002";

struct Shop {
    h: Harness,
    sim: EpaySimulator,
    notify_url: String,
    method: Uuid,
    product: Uuid,
    user: Uuid,
}

/// Helium in `all` mode on a free port, a gateway with two merchants, one method each.
async fn shop(pool: &PgPool) -> Shop {
    let h = harness(pool.clone()).await;
    let app = helium_api::app::build(WorkMode::All, h.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let notify_url = format!("http://{addr}/webhooks/epay/notify");
    set_shop(&h, json!({ "epay_notify_url": notify_url, "max_unpaid_orders": 100 })).await;
    let sim = EpaySimulator::start(&[("1001", KEY), ("1002", OTHER_KEY)]);
    let methods = &h.state.shop.methods;
    let input = PaymentMethodInput::new("Alipay", "alipay", &sim.url, "1001", KEY, true, 0).unwrap();
    let method = methods.create(&Actor::cli(), &input).await.unwrap().id;
    let other = PaymentMethodInput::new("WeChat", "wxpay", &sim.url, "1002", OTHER_KEY, true, 1).unwrap();
    methods.create(&Actor::cli(), &other).await.unwrap();
    let product = product(&h, 1_550).await;
    let user = customer(pool).await;
    Shop { h, sim, notify_url, method, product, user }
}

impl Shop {
    /// An order the customer starts paying at the gateway: (order id, out_trade_no).
    async fn gateway_order(&self) -> (Uuid, String) {
        let cmd = NewOrder::new(self.product, None).unwrap();
        let id = self.h.state.shop.orders.create(self.user, &cmd, None).await.unwrap().id;
        (id, self.start(id).await)
    }

    async fn start(&self, order: Uuid) -> String {
        let redirect = self.h.state.shop.checkout.start_gateway(self.user, order, self.method).await.unwrap();
        assert!(redirect.redirect_url.starts_with(&format!("{}/submit.php?", self.sim.url)));
        self.sim.open(&redirect.redirect_url).await;
        let url = reqwest::Url::parse(&redirect.redirect_url).unwrap();
        url.query_pairs().find(|(k, _)| k == "out_trade_no").unwrap().1.into_owned()
    }

    async fn status(&self, order: Uuid) -> String {
        sqlx::query_scalar("SELECT status FROM shop.orders WHERE id = $1")
            .bind(order)
            .fetch_one(&self.h.pool)
            .await
            .unwrap()
    }

    async fn notify(&self, params: &Value) -> (u16, String) {
        let form: Vec<(String, String)> =
            params.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
        let res = client().post(&self.notify_url).form(&form).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
}

/// WIRE-FORMATS C.2, written out here independently of the server's implementation.
fn epay_sign(params: &Value, key: &str) -> String {
    let mut pairs: Vec<(&String, &str)> = params
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| *k != "sign" && *k != "sign_type" && !v.as_str().unwrap().is_empty())
        .map(|(k, v)| (k, v.as_str().unwrap()))
        .collect();
    pairs.sort();
    let joined = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    use md5::Digest;
    md5::Md5::digest(format!("{joined}{key}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn resigned(mut params: Value, key: &str, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        params[k] = v.clone();
    }
    params["sign"] = json!(epay_sign(&params, key));
    params
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_gateway_payment_settles_once_however_often_it_is_reported(pool: PgPool) {
    let s = shop(&pool).await;
    let (order, out_trade_no) = s.gateway_order().await;
    let paid = s.sim.pay(&out_trade_no, "post").await;
    assert_eq!(paid["answers"], json!([[200, "success"]]), "{paid}");
    assert_eq!(s.status(order).await, "paid");
    let params = paid["params"].clone();
    assert_eq!(params["money"], "15.5", "yuan as Xboard writes it");

    // 50 replays one after another, 50 at once: each answers success, nothing moves.
    for _ in 0..50 {
        assert_eq!(s.notify(&params).await, (200, "success".into()));
    }
    let replays: Vec<_> = (0..50)
        .map(|_| {
            let (url, params) = (s.notify_url.clone(), params.clone());
            tokio::spawn(async move {
                let form: Vec<(String, String)> = params
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect();
                let res = client().post(&url).form(&form).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            })
        })
        .collect();
    for r in replays {
        assert_eq!(r.await.unwrap(), (200, "success".into()));
    }
    let settled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM shop.payments WHERE order_id = $1 AND status = 'succeeded'")
            .bind(order)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(settled, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM wallet.postings").await, 0, "nothing credited twice");
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE event_type = 'order.paid'").await, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn forged_or_mismatched_notifies_change_nothing(pool: PgPool) {
    let s = shop(&pool).await;
    let (order, out_trade_no) = s.gateway_order().await;
    // What a genuine notify would carry, built by hand (the gateway has not been paid).
    let genuine = resigned(
        json!({
            "pid": "1001", "trade_no": "SIM-FORGED-1", "out_trade_no": out_trade_no, "type": "alipay",
            "name": "Pro 30 days", "money": "15.50", "trade_status": "TRADE_SUCCESS", "sign_type": "MD5",
        }),
        KEY,
        json!({}),
    );
    let mut bad_sign = genuine.clone();
    bad_sign["sign"] = json!("0".repeat(32));
    let cases = [
        ("a bad signature", bad_sign, 400, "signature_invalid"),
        ("another merchant's key", resigned(genuine.clone(), OTHER_KEY, json!({})), 400, "signature_invalid"),
        ("a wrong amount", resigned(genuine.clone(), KEY, json!({ "money": "0.01" })), 422, "payment_mismatch"),
        ("another pid", resigned(genuine.clone(), KEY, json!({ "pid": "1002" })), 422, "payment_mismatch"),
        (
            "an unpaid status",
            resigned(genuine.clone(), KEY, json!({ "trade_status": "WAIT_BUYER_PAY" })),
            422,
            "payment_mismatch",
        ),
        (
            "an unknown payment",
            resigned(genuine.clone(), KEY, json!({ "out_trade_no": "P0000" })),
            400,
            "signature_invalid",
        ),
    ];
    for (what, params, status, code) in cases {
        let (got, body) = s.notify(&params).await;
        assert_eq!(got, status, "{what}: {body}");
        assert_ne!(body, "success", "{what}");
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["code"], code, "{what}");
        assert!(!body.contains(KEY) && !body.contains(OTHER_KEY), "{what}: the key is never echoed");
    }
    assert_eq!(s.status(order).await, "unpaid");
    assert_eq!(count(&pool, "SELECT count(*) FROM shop.payments WHERE status <> 'pending'").await, 0);
    // The genuine one still works afterwards.
    assert_eq!(s.notify(&genuine).await, (200, "success".into()));
    assert_eq!(s.status(order).await, "paid");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn get_notifies_query_answers_top_ups_and_late_payments_all_settle(pool: PgPool) {
    let s = shop(&pool).await;
    // A gateway that calls back with GET.
    let (by_get, out_trade_no) = s.gateway_order().await;
    let paid = s.sim.pay(&out_trade_no, "get").await;
    assert_eq!(paid["answers"], json!([[200, "success"]]), "{paid}");
    assert_eq!(s.status(by_get).await, "paid");

    // A notify that never arrives: the query job asks the gateway and settles it.
    let (silent, out_trade_no) = s.gateway_order().await;
    s.sim.pay(&out_trade_no, "none").await;
    let http = reqwest::Client::new();
    assert_eq!(s.h.state.shop.checkout.query_unresolved(&http, 50).await.unwrap(), 0, "too young to ask about");
    sqlx::query("UPDATE shop.payments SET created_at = now() - interval '2 minutes'").execute(&pool).await.unwrap();
    assert_eq!(s.h.state.shop.checkout.query_unresolved(&http, 50).await.unwrap(), 1);
    assert_eq!(s.status(silent).await, "paid");
    assert_eq!(s.h.state.shop.checkout.query_unresolved(&http, 50).await.unwrap(), 0, "settled once");

    // A top-up: the wallet is credited with a `top_up` entry.
    let top_up = s.h.state.shop.top_ups.create(s.user, 5_000, None).await.unwrap();
    let out_trade_no = s.start(top_up.id).await;
    s.sim.pay(&out_trade_no, "post").await;
    assert_eq!(available(&pool, s.user).await, 5_000);
    assert_eq!(count(&pool, "SELECT count(*) FROM wallet.postings WHERE kind = 'top_up'").await, 1);

    // Paid at the gateway after the order was cancelled: the money goes to the wallet.
    let (late, out_trade_no) = s.gateway_order().await;
    s.h.state.shop.orders.cancel(s.user, late).await.unwrap();
    let paid = s.sim.pay(&out_trade_no, "post").await;
    assert_eq!(paid["answers"], json!([[200, "success"]]));
    assert_eq!(s.status(late).await, "cancelled");
    assert_eq!(available(&pool, s.user).await, 5_000 + 1_550);
    assert_ledger_balanced(&pool).await;
}
