//! Market: invite codes within limits, referral links made once (never to oneself, never a
//! cycle), commissions exactly once per (order, beneficiary) under redelivery, released after
//! the holding period, withdrawn exactly once under concurrency, reversed by a refund without
//! a negative wallet (SECURITY checks 19 and 20).

use axum::http::Method;
use helium_domain::admin::Role;
use helium_domain::audit::Actor;
use helium_domain::config::ConfigKind;
use helium_domain::events::{Event, types};
use helium_domain::shop::commands::{NewOrder, ProductInput, Refund, SeriesInput, package_terms};
use helium_infra::cron::JobContext;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::shop::*;
use crate::support::staff::*;
use crate::support::*;

async fn set_affiliate(h: &Harness, changes: Value) {
    let mut doc = h.state.config.load(ConfigKind::Affiliate).await.unwrap().unwrap().value;
    for (k, v) in changes.as_object().unwrap() {
        doc[k] = v.clone();
    }
    h.state.config.put(ConfigKind::Affiliate, &doc, None).await.unwrap();
}

/// A product at `price` that earns (or not) referral commissions.
async fn plan(h: &Harness, price: i64, eligible: bool) -> Uuid {
    let actor = Actor::cli();
    let catalog = &h.state.shop.catalog;
    let series = catalog.create_series(&actor, &SeriesInput::new("Ref", None).unwrap()).await.unwrap();
    let terms = package_terms(1 << 30, 30, None, None, "none", &[]).unwrap();
    let version = catalog.create_version(&actor, series.id, &terms).await.unwrap();
    catalog.publish_version(&actor, series.id, version.id).await.unwrap();
    let input = ProductInput::new("Ref plan", None, price, series.id, &[EVERYONE], true, 0, eligible).unwrap();
    catalog.create_product(&actor, &input).await.unwrap().id
}

/// A customer who registered with `code` (after the code existed).
async fn referee(pool: &PgPool, code: &str) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO auth.users (id, email, referral_code) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(format!("friend-{id}@example.test"))
        .bind(code)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// The newest outbox event of a type for an aggregate.
async fn event(pool: &PgPool, event_type: &str, aggregate: Uuid) -> Event {
    let (id, occurred_at, payload): (Uuid, chrono::DateTime<chrono::Utc>, Value) = sqlx::query_as(
        "SELECT id, occurred_at, payload FROM outbox WHERE event_type = $1 AND aggregate_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(event_type)
    .bind(aggregate.to_string())
    .fetch_one(pool)
    .await
    .unwrap();
    Event::new(id, event_type, aggregate.to_string(), occurred_at, payload)
}

/// Runs a market consumer on one event in its own transaction, as the consumer would.
async fn deliver(h: &Harness, name: &str, e: &Event) {
    let handler = h.state.market.handlers().into_iter().find(|c| c.name() == name).unwrap();
    let mut tx = h.pool.begin().await.unwrap();
    handler.handle(&mut tx, e, 1).await.unwrap();
    tx.commit().await.unwrap();
}

async fn release(h: &Harness) -> u64 {
    let ctx = JobContext { db: h.state.db.clone(), config: h.state.config.clone(), keys: h.state.keys.clone() };
    let mut n = 0;
    for job in h.state.market.jobs() {
        n += job.run(&ctx).await.unwrap();
    }
    n
}

/// A paid wallet order of `user` for `product`; returns its id.
async fn paid_order(h: &Harness, user: Uuid, product: Uuid, price: i64) -> Uuid {
    deposit(h, user, price).await;
    let order = h.state.shop.orders.create(user, &NewOrder::new(product, None).unwrap(), None).await.unwrap();
    h.state.shop.checkout.pay_with_wallet(user, order.id).await.unwrap();
    order.id
}

async fn scalar(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn one_commission_one_withdrawal_and_a_refund_never_makes_a_wallet_negative(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_affiliate(&h, json!({ "commission_hold_period": "0", "default_reward_rate": "0.1" })).await;
    let product = plan(&h, 1_000, true).await;
    let referrer = create_user(&pool, "referrer@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("referrer@example.test", GOOD_PASSWORD).await;
    let code =
        h.authed(Method::POST, "/api/v1/invite-codes", &token, None).await.ok(201)["code"].as_str().unwrap().to_owned();
    let friend = referee(&pool, &code).await;
    let order = paid_order(&h, friend, product, 1_000).await;

    // order.paid arrives 5× in a row and 5× at once: one commission.
    let paid = event(&pool, types::ORDER_PAID, order).await;
    for _ in 0..5 {
        deliver(&h, "market_commissions", &paid).await;
    }
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (h, paid) = (h.clone(), paid.clone());
            tokio::spawn(async move { deliver(&h, "market_commissions", &paid).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(scalar(&pool, "SELECT count(*) FROM market.commissions WHERE order_id = $1", order).await, 1);
    let stats = h.authed(Method::GET, "/api/v1/referrals/stats", &token, None).await.ok(200).clone();
    assert_eq!((stats["referred"].clone(), stats["paying"].clone()), (json!(1), json!(1)));
    assert_eq!(stats["pending"]["amount"], 100);
    assert_eq!(stats["available"]["amount"], 0);

    // Nothing can be withdrawn while pending; the cron releases it.
    let withdraw = |key: String, amount: i64| {
        let (h, token) = (h.clone(), token.clone());
        async move {
            let mut req =
                request(Method::POST, "/api/v1/commissions/withdraw", Some(&token), Some(&json!({ "amount": amount })));
            req.headers_mut().insert("idempotency-key", key.parse().unwrap());
            h.call(req).await
        }
    };
    withdraw("early".into(), 100).await.expect(409, "insufficient_commission");
    assert_eq!(release(&h).await, 1);
    assert_eq!(release(&h).await, 0, "released once");
    let listed = h.authed(Method::GET, "/api/v1/commissions?status=available", &token, None).await.ok(200).clone();
    assert_eq!(listed["items"][0]["amount"]["amount"], 100);

    // 20 concurrent withdrawals of everything: one succeeds.
    let tasks: Vec<_> = (0..20).map(|i| tokio::spawn(withdraw(format!("w-{i}"), 100))).collect();
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status.as_u16() {
            200 => {
                ok += 1;
                assert_eq!(r.body["withdrawn"]["amount"], 100);
                assert_eq!(r.body["wallet"]["available"]["amount"], 100);
            }
            409 => assert_eq!(r.code(), "insufficient_commission", "{}", r.body),
            other => panic!("{other}: {}", r.body),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(available(&pool, referrer).await, 100);
    let ledger = h.authed(Method::GET, "/api/v1/wallet/ledger", &token, None).await.ok(200).clone();
    assert_eq!(ledger["items"][0]["type"], "commission_withdrawal");
    assert_eq!(scalar(&pool, "SELECT count(*) FROM market.withdrawals WHERE user_id = $1", referrer).await, 1);
    let stats = h.authed(Method::GET, "/api/v1/referrals/stats", &token, None).await.ok(200).clone();
    assert_eq!((stats["available"]["amount"].clone(), stats["withdrawn"]["amount"].clone()), (json!(0), json!(100)));

    // The referrer spends 70; then the referee's order is refunded: the commission is reversed,
    // 30 comes back out of the wallet and 70 is owed — the wallet never goes below zero.
    let spend = helium_domain::wallet::commands::Adjustment::new("consume", 70, "spent").unwrap();
    h.state.wallet.wallets.adjust(&Actor::cli(), referrer, &spend, None).await.unwrap();
    let cmd = Refund::new("customer asked", None, false).unwrap();
    h.state.shop.checkout.refund(&Actor::cli(), order, &cmd).await.unwrap();
    let refunded = event(&pool, types::ORDER_REFUNDED, order).await;
    deliver(&h, "market_commissions", &refunded).await;
    deliver(&h, "market_commissions", &refunded).await;
    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM market.commissions WHERE order_id = $1 AND status = 'reversed'", order)
            .await,
        1
    );
    assert_eq!(available(&pool, referrer).await, 0);
    assert_eq!(scalar(&pool, "SELECT owed FROM market.accounts WHERE user_id = $1", referrer).await, 70);
    assert_eq!(
        scalar(
            &pool,
            "SELECT count(*) FROM wallet.postings WHERE kind = 'commission_reversal' AND order_id = $1",
            order
        )
        .await,
        1
    );
    assert_ledger_balanced(&pool).await;
    // A redelivered order.paid after the refund records nothing new.
    deliver(&h, "market_commissions", &paid).await;
    assert_eq!(scalar(&pool, "SELECT count(*) FROM market.commissions WHERE order_id = $1", order).await, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn commissions_respect_eligibility_the_trigger_limit_and_policies(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_affiliate(&h, json!({ "default_trigger_time_per_user": 2, "default_reward_rate": "0.2" })).await;
    let eligible = plan(&h, 500, true).await;
    let not_eligible = plan(&h, 500, false).await;
    let referrer = customer(&pool).await;
    let code = h.state.market.codes.create(referrer).await.unwrap().code;
    let friend = referee(&pool, &code).await;
    for product in [not_eligible, eligible, eligible, eligible] {
        let order = paid_order(&h, friend, product, 500).await;
        deliver(&h, "market_commissions", &event(&pool, types::ORDER_PAID, order).await).await;
    }
    let amounts: Vec<i64> =
        sqlx::query_scalar("SELECT amount FROM market.commissions WHERE beneficiary_id = $1 ORDER BY created_at")
            .bind(referrer)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(amounts, vec![100, 100], "20 % of 500, for at most 2 orders, none for the ineligible product");
    let stats = h.state.market.earnings.stats(referrer).await.unwrap();
    assert_eq!(stats.balance.pending, 200);

    // A staff member turns referrals off for the referrer: no more codes, commissions, withdrawals.
    let admin = staff(&h, Role::Moderator).await;
    let path = format!("/api/v1/admin/affiliates/{referrer}");
    let put = h
        .authed(
            Method::PUT,
            &path,
            &admin.token,
            Some(json!({ "enabled": false, "trigger_limit": 5, "reward_rate": null })),
        )
        .await;
    assert_eq!(put.ok(200)["enabled"], false);
    assert_eq!(put.ok(200)["trigger_limit"], 5);
    assert_eq!(put.ok(200)["overrides"]["reward_rate"], Value::Null);
    assert_eq!(put.ok(200)["reward_rate"], "0.2");
    let audit: i64 =
        sqlx::query_scalar("SELECT count(*) FROM staff.audit_log WHERE action = 'affiliate_policy.update'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audit, 1);
    let err = h.state.market.codes.create(referrer).await.unwrap_err();
    assert_eq!(err.code().as_str(), "affiliate_disabled");
    let order = paid_order(&h, friend, eligible, 500).await;
    deliver(&h, "market_commissions", &event(&pool, types::ORDER_PAID, order).await).await;
    assert_eq!(scalar(&pool, "SELECT count(*) FROM market.commissions WHERE beneficiary_id = $1", referrer).await, 2);
    // Bad policy values are refused naming the field; an unknown customer is 404.
    let bad = h.authed(Method::PUT, &path, &admin.token, Some(json!({ "enabled": true, "reward_rate": "1.5" }))).await;
    bad.expect(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "reward_rate");
    let ghost = format!("/api/v1/admin/affiliates/{}", Uuid::now_v7());
    h.authed(Method::GET, &ghost, &admin.token, None).await.expect(404, "not_found");

    // Staff lists: a moderator filters commissions; customer support reads policies only.
    let list = h
        .authed(Method::GET, &format!("/api/v1/admin/commissions?beneficiary_id={referrer}"), &admin.token, None)
        .await;
    assert_eq!(list.ok(200)["items"].as_array().unwrap().len(), 2);
    assert_eq!(list.ok(200)["items"][0]["referee_id"], json!(friend));
    let cs = staff(&h, Role::CustomerSupport).await;
    assert_eq!(h.authed(Method::GET, &path, &cs.token, None).await.ok(200)["referrer_id"], Value::Null);
    h.authed(Method::GET, "/api/v1/admin/commissions", &cs.token, None).await.expect(403, "permission_denied");
    h.authed(Method::PUT, &path, &cs.token, Some(json!({ "enabled": true }))).await.expect(403, "permission_denied");
    let friend_policy = h.authed(Method::GET, &format!("/api/v1/admin/affiliates/{friend}"), &cs.token, None).await;
    assert_eq!(friend_policy.ok(200)["referrer_id"], json!(referrer));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn invite_codes_have_a_limit_an_owner_and_never_refer_oneself_or_make_a_cycle(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_affiliate(&h, json!({ "max_invite_code_per_user": 2 })).await;
    let alice = create_user(&pool, "alice@example.test", GOOD_PASSWORD).await;
    let (alice_token, _) = h.session("alice@example.test", GOOD_PASSWORD).await;
    create_user(&pool, "bob@example.test", GOOD_PASSWORD).await;
    let (bob_token, _) = h.session("bob@example.test", GOOD_PASSWORD).await;

    // Concurrent creates cannot pass the limit.
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (h, t) = (h.clone(), alice_token.clone());
            tokio::spawn(async move { h.authed(Method::POST, "/api/v1/invite-codes", &t, None).await })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        match r.status.as_u16() {
            201 => codes.push(r.body.clone()),
            409 => assert_eq!(r.code(), "invite_code_limit_reached"),
            other => panic!("{other}: {}", r.body),
        }
    }
    assert_eq!(codes.len(), 2);
    let code = codes[0]["code"].as_str().unwrap().to_owned();
    assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{code}");
    let id = codes[0]["id"].as_str().unwrap().to_owned();

    // Bob cannot delete Alice's code (404 like an unknown id); Alice can, and may then make another.
    h.authed(Method::DELETE, &format!("/api/v1/invite-codes/{id}"), &bob_token, None).await.expect(404, "not_found");
    let unknown = format!("/api/v1/invite-codes/{}", Uuid::now_v7());
    h.authed(Method::DELETE, &unknown, &alice_token, None).await.expect(404, "not_found");

    // Sign-ups: linked once, counted on the code, masked in the list.
    let friend = referee(&pool, &code.to_lowercase()).await;
    let registered = Event::new(
        Uuid::now_v7(),
        types::USER_REGISTERED,
        friend.to_string(),
        chrono::Utc::now(),
        json!({ "user_id": friend }),
    );
    deliver(&h, "market_referrals", &registered).await;
    deliver(&h, "market_referrals", &registered).await;
    let page = h.authed(Method::GET, "/api/v1/invite-codes", &alice_token, None).await.ok(200).clone();
    let listed = page["items"].as_array().unwrap().iter().find(|c| c["id"] == json!(id)).unwrap().clone();
    assert_eq!(listed["signups"], 1);
    let refs = h.authed(Method::GET, "/api/v1/referrals", &alice_token, None).await.ok(200).clone();
    assert_eq!(refs["items"].as_array().unwrap().len(), 1);
    let masked = refs["items"][0]["masked_email"].as_str().unwrap();
    assert!(masked.starts_with("fr***@") && !masked.contains(&friend.to_string()), "{masked}");
    assert_eq!(h.authed(Method::GET, "/api/v1/referrals", &bob_token, None).await.ok(200)["items"], json!([]));
    h.authed(Method::DELETE, &format!("/api/v1/invite-codes/{id}"), &alice_token, None).await.ok(204);
    h.authed(Method::POST, "/api/v1/invite-codes", &alice_token, None).await.ok(201);
    // A retired code refers nobody new; the old link stays.
    let late = referee(&pool, &code).await;
    let e = Event::new(
        Uuid::now_v7(),
        types::USER_REGISTERED,
        late.to_string(),
        chrono::Utc::now(),
        json!({ "user_id": late }),
    );
    deliver(&h, "market_referrals", &e).await;
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM market.referrals WHERE referee_id = '{late}'")).await, 0);
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM market.referrals WHERE referee_id = '{friend}'")).await, 1);

    // Nobody refers themself: Alice "registered" with her own code; and a code created after
    // someone registered cannot refer them (so Bob cannot refer Alice back into a cycle).
    let own = h.state.market.codes.create(bob_token_user(&pool, "bob@example.test").await).await.unwrap();
    sqlx::query("UPDATE auth.users SET referral_code = $1 WHERE id = $2")
        .bind(&own.code)
        .bind(alice)
        .execute(&pool)
        .await
        .unwrap();
    let e = Event::new(
        Uuid::now_v7(),
        types::USER_REGISTERED,
        alice.to_string(),
        chrono::Utc::now(),
        json!({ "user_id": alice }),
    );
    deliver(&h, "market_referrals", &e).await;
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM market.referrals WHERE referee_id = '{alice}'")).await, 0);
    let bob = bob_token_user(&pool, "bob@example.test").await;
    let alices = h.state.market.codes.list(alice, None, None).await.unwrap().items[0].code.clone();
    sqlx::query("UPDATE auth.users SET referral_code = $1 WHERE id = $2")
        .bind(&alices)
        .bind(bob)
        .execute(&pool)
        .await
        .unwrap();
    let e = Event::new(
        Uuid::now_v7(),
        types::USER_REGISTERED,
        bob.to_string(),
        chrono::Utc::now(),
        json!({ "user_id": bob }),
    );
    deliver(&h, "market_referrals", &e).await;
    assert_eq!(count(&pool, &format!("SELECT count(*) FROM market.referrals WHERE referee_id = '{bob}'")).await, 0);
}

async fn bob_token_user(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM auth.users WHERE email = $1").bind(email).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn farming_sign_ups_earn_nothing_and_a_refund_in_the_holding_period_leaves_nothing(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_affiliate(&h, json!({ "signup_velocity_alert_per_hour": 10 })).await;
    let product = plan(&h, 1_000, true).await;
    let farmer = customer(&pool).await;
    let code = h.state.market.codes.create(farmer).await.unwrap().code;
    let mut fakes = Vec::new();
    for _ in 0..30 {
        let id = referee(&pool, &code).await;
        let e = Event::new(
            Uuid::now_v7(),
            types::USER_REGISTERED,
            id.to_string(),
            chrono::Utc::now(),
            json!({ "user_id": id }),
        );
        deliver(&h, "market_referrals", &e).await;
        fakes.push(id);
    }
    assert_eq!(scalar(&pool, "SELECT count(*) FROM market.referrals WHERE referrer_id = $1", farmer).await, 30);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM market.commissions WHERE beneficiary_id = $1", farmer).await, 0);

    // One of them pays and is refunded within the 7-day hold: reversed, nothing ever available.
    let order = paid_order(&h, fakes[0], product, 1_000).await;
    deliver(&h, "market_commissions", &event(&pool, types::ORDER_PAID, order).await).await;
    assert_eq!(release(&h).await, 0, "still within the holding period");
    h.state.shop.checkout.refund(&Actor::cli(), order, &Refund::new("fraud", None, false).unwrap()).await.unwrap();
    deliver(&h, "market_commissions", &event(&pool, types::ORDER_REFUNDED, order).await).await;
    let stats = h.state.market.earnings.stats(farmer).await.unwrap();
    assert_eq!((stats.balance.pending, stats.balance.available, stats.balance.owed), (0, 0, 0));
    assert_eq!(available(&pool, farmer).await, 0);
    let r = h.state.market.earnings.withdraw(farmer, 1, None).await.unwrap_err();
    assert_eq!(r.code().as_str(), "insufficient_commission");
}
