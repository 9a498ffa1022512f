//! The shop's consumers, run on real events from the outbox: delivery of a paid order and
//! auto-renewal from the wallet when a package is about to expire.

use chrono::Utc;
use helium_domain::events::{Event, types};
use helium_domain::shop::commands::NewOrder;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::shop::*;
use crate::support::*;

/// The newest outbox event of a type, as the consumer would receive it.
async fn latest(pool: &PgPool, event_type: &str) -> Event {
    let (id, aggregate_id, occurred_at, payload): (Uuid, String, chrono::DateTime<Utc>, serde_json::Value) =
        sqlx::query_as(
            "SELECT id, aggregate_id, occurred_at, payload FROM outbox WHERE event_type = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(event_type)
        .fetch_one(pool)
        .await
        .unwrap();
    Event::new(id, event_type, aggregate_id, occurred_at, payload)
}

async fn run(h: &Harness, name: &str, event: &Event) {
    let handler = h.state.shop.handlers().into_iter().find(|c| c.name() == name).unwrap();
    let mut tx = h.pool.begin().await.unwrap();
    handler.handle(&mut tx, event, 1).await.unwrap();
    tx.commit().await.unwrap();
}

async fn events(pool: &PgPool, event_type: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE event_type = $1")
        .bind(event_type)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_paid_order_is_delivered_once_with_its_version_terms(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let user = customer(&pool).await;
    deposit(&h, user, 700).await;
    let order = h.state.shop.orders.create(user, &NewOrder::new(product, None).unwrap(), None).await.unwrap();
    h.state.shop.checkout.pay_with_wallet(user, order.id).await.unwrap();
    let paid = latest(&pool, types::ORDER_PAID).await;
    run(&h, "shop_delivery", &paid).await;
    run(&h, "shop_delivery", &paid).await;
    let (o, _) = h.state.shop.orders.get(Some(user), order.id).await.unwrap();
    assert_eq!(o.status.as_str(), "delivered");
    assert_eq!(events(&pool, types::ORDER_DELIVERED).await, 1, "delivered once, however often order.paid arrives");
    let delivered = latest(&pool, types::ORDER_DELIVERED).await;
    assert_eq!(delivered.payload["terms"]["traffic_bytes"], json!(100_i64 << 30));
    assert_eq!(delivered.payload["terms"]["device_limit"], 3);
    assert_eq!(delivered.payload["renewal"], false);
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE event_type = 'email.requested' AND payload->>'template' = 'order_paid'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(mails, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn auto_renewal_pays_from_the_wallet_or_reminds(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let rich = customer(&pool).await;
    let poor = customer(&pool).await;
    deposit(&h, rich, 1_000).await;
    deposit(&h, poor, 100).await;
    for user in [rich, poor] {
        h.state.shop.renewals.set(user, product, true).await.unwrap();
    }
    let expiring = |user: Uuid| {
        let payload = json!({
            "package_id": Uuid::now_v7(), "user_id": user, "product_id": product,
            "expires_at": "2027-01-01T00:00:00Z",
        });
        Event::new(Uuid::now_v7(), types::PACKAGE_EXPIRING, user.to_string(), Utc::now(), payload)
    };
    let event = expiring(rich);
    run(&h, "shop_auto_renew", &event).await;
    // The same package expiring, delivered again under a new event id: no second renewal.
    run(&h, "shop_auto_renew", &expiring(rich)).await;
    assert_eq!(available(&pool, rich).await, 300);
    let renewals: i64 =
        sqlx::query_scalar("SELECT count(*) FROM shop.orders WHERE kind = 'renewal' AND status = 'paid'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(renewals, 1);
    assert_eq!(events(&pool, types::ORDER_PAID).await, 1);

    run(&h, "shop_auto_renew", &expiring(poor)).await;
    assert_eq!(available(&pool, poor).await, 100, "nothing half-done");
    let reminders: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE event_type = 'email.requested' AND payload->>'template' = 'auto_renew_failed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reminders, 1);
    assert_ledger_balanced(&pool).await;
}
