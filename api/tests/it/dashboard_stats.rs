//! The staff dashboard's sales, traffic, node and ticket sections over the real router:
//! numbers from real purchases, a refund and agent pushes (a retried push counts once),
//! days bucketed in the requested time zone, and each section only for its permission.

use axum::http::{Method, StatusCode};
use helium_domain::admin::Role;
use helium_domain::audit::Actor;
use helium_domain::shop::commands::{NewOrder, Refund};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::shop::*;
use crate::support::staff::*;
use crate::support::*;
use crate::telecom_agents::{NODE_TOKEN, agent, agent_id, buy, plan, send, setup};

async fn dashboard(h: &Harness, token: &str, query: &str) -> Value {
    let r = h.authed(Method::GET, &format!("/api/v1/admin/stats/dashboard?{query}"), token, None).await;
    r.ok(200).clone()
}

fn last(series: &Value) -> &Value {
    series.as_array().and_then(|a| a.last()).expect("a non-empty series")
}

async fn ticket(pool: &PgPool, user: Uuid, status: &str, assignee: Option<Uuid>) {
    sqlx::query(
        "INSERT INTO support.tickets (id, user_id, subject, status, priority, assignee_id, closed_at)
         VALUES ($1, $2, 'Help', $3, 'normal', $4, CASE WHEN $3 = 'closed' THEN now() END)",
    )
    .bind(Uuid::now_v7())
    .bind(user)
    .bind(status)
    .bind(assignee)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn sales_traffic_nodes_and_tickets_are_counted_and_gated(pool: PgPool) {
    let (h, app) = setup(&pool).await;
    let boss = staff_without_mfa(&h, Role::SuperAdmin).await;

    // Before anything happened: zeros, one entry per day, the shop currency.
    let empty = dashboard(&h, &boss.token, "days=5").await;
    assert_eq!(empty["sales"]["revenue_per_day"].as_array().unwrap().len(), 5);
    assert_eq!(empty["sales"]["currency"], "CNY");
    assert_eq!((empty["sales"]["revenue"].as_i64(), empty["sales"]["paid_orders"].as_i64()), (Some(0), Some(0)));
    assert_eq!(empty["traffic"]["per_day"].as_array().unwrap().len(), 5);
    assert_eq!(
        empty["nodes"],
        json!({ "servers": 1, "servers_in_maintenance": 0, "clients": 1,
        "clients_online": 0, "clients_offline": 1 })
    );
    assert_eq!(empty["tickets"]["open"], 0);

    // Two purchases at 100, one refunded in part, one order left unpaid.
    let product = plan(&h, 1 << 40).await;
    let (alice, bob) = (customer(&pool).await, customer(&pool).await);
    buy(&h, alice, product).await;
    buy(&h, bob, product).await;
    let bobs: Uuid =
        sqlx::query_scalar("SELECT id FROM shop.orders WHERE user_id = $1").bind(bob).fetch_one(&pool).await.unwrap();
    h.state
        .shop
        .checkout
        .refund(&Actor::cli(), bobs, &Refund::new("goodwill", Some(40), false).unwrap())
        .await
        .unwrap();
    h.state.shop.orders.create(alice, &NewOrder::new(product, None).unwrap(), None).await.unwrap();

    // Traffic: one push, retried twice (counted once), before node rates.
    let a = agent_id(&pool, alice).await;
    for _ in 0..3 {
        let r = send(&app, agent("push", NODE_TOKEN, None, Some(json!({ a.to_string(): [1_000, 2_000] })))).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    // Yesterday 23:00 in Shanghai: today in UTC for part of the day, never today in Shanghai.
    sqlx::query(
        "INSERT INTO telecom.traffic_hourly (hour, node_client_id, upload, download)
         SELECT date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' - interval '1 hour',
                gen_random_uuid(), 7, 70",
    )
    .execute(&pool)
    .await
    .unwrap();

    // Tickets: open and unassigned, pending and assigned, closed.
    ticket(&pool, alice, "open", None).await;
    ticket(&pool, alice, "pending", Some(boss.id)).await;
    ticket(&pool, bob, "closed", None).await;

    // The agent was heard from just now.
    sqlx::query("UPDATE telecom.node_clients SET last_pull_at = now()").execute(&pool).await.unwrap();

    // A range no earlier call used (answers are cached per range and zone).
    let s = dashboard(&h, &boss.token, "days=2&tz=Asia/Shanghai").await;
    let sales = &s["sales"];
    assert_eq!((sales["revenue"].as_i64(), sales["paid_orders"].as_i64()), (Some(200), Some(2)));
    assert_eq!((sales["refunds"].as_i64(), sales["unpaid_orders"].as_i64()), (Some(40), Some(1)));
    assert_eq!(sales["top_ups"], 0);
    assert_eq!(last(&sales["revenue_per_day"])["amount"], 200);
    assert_eq!(last(&sales["paid_orders_per_day"])["count"], 2);
    assert_eq!(last(&sales["refunds_per_day"])["amount"], 40);

    let traffic = &s["traffic"];
    let days = traffic["per_day"].as_array().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!((days[1]["upload"].as_i64(), days[1]["download"].as_i64()), (Some(1_000), Some(2_000)));
    assert_eq!(
        (days[0]["upload"].as_i64(), days[0]["download"].as_i64()),
        (Some(7), Some(70)),
        "yesterday in Shanghai"
    );
    assert_eq!((traffic["upload"].as_i64(), traffic["download"].as_i64()), (Some(1_007), Some(2_070)));

    assert_eq!((s["nodes"]["clients_online"].as_i64(), s["nodes"]["clients_offline"].as_i64()), (Some(1), Some(0)));
    assert_eq!(s["tickets"]["open"], 1);
    assert_eq!(s["tickets"]["pending"], 1);
    assert_eq!(s["tickets"]["unassigned"], 1);
    assert_eq!(last(&s["tickets"]["opened_per_day"])["count"], 3);

    // The same question within 30 s is answered from the cache.
    let again = dashboard(&h, &boss.token, "days=2&tz=Asia/Shanghai").await;
    assert_eq!(again["generated_at"], s["generated_at"]);

    // Not heard from for longer than the offline timeout: offline.
    sqlx::query("UPDATE telecom.node_clients SET last_pull_at = now() - interval '1 day', last_push_at = NULL")
        .execute(&pool)
        .await
        .unwrap();
    let later = dashboard(&h, &boss.token, "days=3").await;
    assert_eq!(
        (later["nodes"]["clients_online"].as_i64(), later["nodes"]["clients_offline"].as_i64()),
        (Some(0), Some(1))
    );

    // Sections follow permissions: support sees everything but staff; a support bot
    // (orders, customers, tickets) neither nodes nor traffic.
    let support = staff_without_mfa(&h, Role::CustomerSupport).await;
    let seen = dashboard(&h, &support.token, "days=2").await;
    assert!(seen["sales"].is_object() && seen["tickets"].is_object() && seen["customers"].is_object());
    assert!(seen["nodes"].is_object() && seen["traffic"].is_object() && seen["staff"].is_null());
    let bot = staff_without_mfa(&h, Role::SupportBot).await;
    let seen = dashboard(&h, &bot.token, "days=2").await;
    assert!(seen["sales"].is_object() && seen["tickets"].is_object());
    assert!(seen["nodes"].is_null() && seen["traffic"].is_null() && seen["staff"].is_null());
    // The support roles' answer is not the SuperAdmin's cached one.
    assert_eq!(seen["sales"]["revenue"], 200);
}

/// A deleted node's history still counts; the purge job keeps the dashboard's range.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn traffic_history_outlives_its_node_and_old_hours_are_purged(pool: PgPool) {
    let (h, app) = setup(&pool).await;
    let product = plan(&h, 1 << 40).await;
    let alice = customer(&pool).await;
    buy(&h, alice, product).await;
    let a = agent_id(&pool, alice).await;
    let r = send(&app, agent("push", NODE_TOKEN, None, Some(json!({ a.to_string(): [5, 6] })))).await;
    assert_eq!(r.status, StatusCode::OK);
    sqlx::query(
        "INSERT INTO telecom.traffic_hourly (hour, node_client_id, upload, download)
         VALUES (date_trunc('hour', now()) - interval '401 days', gen_random_uuid(), 1, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM telecom.node_clients").execute(&pool).await.unwrap();

    use helium_infra::cron::{Job, JobContext};
    let job = helium_infra::telecom::jobs::PurgePushReceipts;
    let ctx = JobContext { db: h.state.db.clone(), config: h.state.config.clone(), keys: h.state.keys.clone() };
    job.run(&ctx).await.unwrap();
    let kept: Vec<(i64, i64)> =
        sqlx::query_as("SELECT upload, download FROM telecom.traffic_hourly").fetch_all(&pool).await.unwrap();
    assert_eq!(kept, [(5, 6)]);
}
