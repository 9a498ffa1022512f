//! Commerce acceptance (issue 13): money is exact under retries and concurrency. Each test
//! races real requests against the real database; none can pass if a guard is missing.

use axum::http::Method;
use helium_domain::audit::Actor;
use helium_domain::client::ClientInfo;
use helium_domain::shop::commands::{CouponFields, CouponInput, NewOrder};
use helium_domain::wallet::commands::{NewBatch, NewSpecialCard};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::shop::*;
use crate::support::*;

async fn order(h: &Harness, user: Uuid, product: Uuid, coupon: Option<&str>) -> Uuid {
    h.state.shop.orders.create(user, &NewOrder::new(product, coupon).unwrap(), None).await.unwrap().id
}

async fn scalar(pool: &PgPool, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn wallet_payments_never_overspend(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_shop(&h, json!({ "max_unpaid_orders": 1000 })).await;
    let product = product(&h, 700).await;
    let user = customer(&pool).await;
    deposit(&h, user, 10_000).await;
    let mut orders = Vec::new();
    for _ in 0..200 {
        orders.push(order(&h, user, product, None).await);
    }
    let tasks: Vec<_> = orders
        .into_iter()
        .map(|id| {
            let h = h.clone();
            tokio::spawn(async move { h.state.shop.checkout.pay_with_wallet(user, id).await })
        })
        .collect();
    let mut paid = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => paid += 1,
            Err(e) => assert_eq!(e.code().as_str(), "insufficient_funds", "{e}"),
        }
    }
    assert_eq!(paid, 14);
    assert_eq!(available(&pool, user).await, 200);
    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM shop.orders WHERE user_id = $1 AND status = 'paid'", user).await,
        14
    );
    assert_ledger_balanced(&pool).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn one_order_paid_twenty_times_is_debited_once(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let user = customer(&pool).await;
    deposit(&h, user, 10_000).await;
    let id = order(&h, user, product, None).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.state.shop.checkout.pay_with_wallet(user, id).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code().as_str(), "order_not_payable", "{e}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(available(&pool, user).await, 9_300);
    assert_ledger_balanced(&pool).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn one_idempotency_key_fifty_times_is_one_payment(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let user = create_user(&pool, "payer@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("payer@example.test", GOOD_PASSWORD).await;
    deposit(&h, user, 1_000).await;
    let id = order(&h, user, product, None).await;
    let path = format!("/api/v1/orders/{id}/pay/wallet");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (h, path, token) = (h.clone(), path.clone(), token.clone());
            tokio::spawn(async move {
                let mut req = request(Method::POST, &path, Some(&token), None);
                req.headers_mut().insert("idempotency-key", "pay-once".parse().unwrap());
                h.call(req).await
            })
        })
        .collect();
    let mut firsts = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        match r.status.as_u16() {
            200 => firsts.push(r.body.clone()),
            409 => assert_eq!(r.code(), "idempotency_key_in_progress", "{}", r.body),
            other => panic!("{other}: {}", r.body),
        }
    }
    assert!(!firsts.is_empty());
    assert!(firsts.iter().all(|b| *b == firsts[0]), "replays answer identically");
    assert_eq!(firsts[0]["status"], "paid");
    assert_eq!(available(&pool, user).await, 300);
    assert_eq!(scalar(&pool, "SELECT count(*) FROM wallet.postings WHERE order_id = $1", id).await, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn unpaid_orders_are_capped_under_concurrency(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let user = customer(&pool).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(
                async move { h.state.shop.orders.create(user, &NewOrder::new(product, None).unwrap(), None).await },
            )
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(e.code().as_str(), "max_unpaid_orders_reached", "{e}"),
        }
    }
    assert_eq!(created, 5, "shop.max_unpaid_orders defaults to 5");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_retried_create_gets_its_order_whatever_the_limits_say_now(pool: PgPool) {
    // The retry lookup runs only when an attempt is refused (a first attempt costs no extra
    // statement): a retry must still find its order once the customer is at the cap.
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let user = customer(&pool).await;
    let create = |key: String| {
        let h = h.clone();
        async move { h.state.shop.orders.create(user, &NewOrder::new(product, None).unwrap(), Some(&key)).await }
    };
    let first = create("retry:first".into()).await.unwrap();
    for i in 0..4 {
        create(format!("retry:{i}")).await.unwrap();
    }
    let refused = create("retry:new".into()).await.unwrap_err();
    assert_eq!(refused.code().as_str(), "max_unpaid_orders_reached");
    let again = create("retry:first".into()).await.unwrap();
    assert_eq!(again.id, first.id, "the retry answers with the order the key made");
    assert_eq!(scalar(&pool, "SELECT count(*) FROM shop.orders WHERE user_id = $1", user).await, 5);
}

fn coupon(code: &str, max_uses: Option<i32>, per_user: i32) -> CouponInput {
    let now = chrono::Utc::now();
    CouponInput::new(
        CouponFields {
            code,
            discount_type: "fixed",
            amount: Some(100),
            ends_at: Some(now + chrono::Duration::days(1)),
            max_uses,
            max_uses_per_user: Some(per_user),
            ..Default::default()
        },
        now,
    )
    .unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn coupon_limits_hold_under_concurrency(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_shop(&h, json!({ "max_unpaid_orders": 1000 })).await;
    let product = product(&h, 700).await;
    h.state.shop.coupons.create(&Actor::cli(), &coupon("FIVE", Some(5), 1)).await.unwrap();
    let mut users = Vec::new();
    for _ in 0..50 {
        users.push(customer(&pool).await);
    }
    let race = |users: Vec<Uuid>, code: &'static str| {
        let h = h.clone();
        async move {
            let tasks: Vec<_> = users
                .into_iter()
                .map(|u| {
                    let h = h.clone();
                    tokio::spawn(async move {
                        h.state.shop.orders.create(u, &NewOrder::new(product, Some(code)).unwrap(), None).await
                    })
                })
                .collect();
            let mut ok = Vec::new();
            for t in tasks {
                match t.await.unwrap() {
                    Ok(o) => ok.push(o),
                    Err(e) => assert!(e.code().as_str().starts_with("coupon_"), "{e}"),
                }
            }
            ok
        }
    };
    let won = race(users.clone(), "FIVE").await;
    assert_eq!(won.len(), 5, "max_uses = 5");
    assert!(won.iter().all(|o| o.total == 600));

    // Cancelling one releases its use exactly once: one more customer may use it, no more.
    h.state.shop.orders.cancel(won[0].user_id, won[0].id).await.unwrap();
    assert!(h.state.shop.orders.cancel(won[0].user_id, won[0].id).await.is_err());
    assert_eq!(race(users[10..30].to_vec(), "FIVE").await.len(), 1);

    // Per customer: two uses each, twenty tries at once by one customer.
    h.state.shop.coupons.create(&Actor::cli(), &coupon("TWICE", None, 2)).await.unwrap();
    let one = users[40];
    assert_eq!(race(vec![one; 20], "TWICE").await.len(), 2);
}

async fn batch_codes(h: &Harness, count: i32, value: i64) -> Vec<String> {
    let now = chrono::Utc::now();
    let batch = NewBatch::new("Promo", count, value, None, now).unwrap();
    let b = h.state.wallet.gift_cards.create_batch(&Actor::cli(), &batch).await.unwrap();
    let csv = h.state.wallet.gift_cards.export(&Actor::cli(), b.id).await.unwrap();
    assert!(h.state.wallet.gift_cards.export(&Actor::cli(), b.id).await.is_err(), "exported once");
    csv.lines().skip(1).map(|l| l.split(',').next().unwrap().to_owned()).collect()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn gift_cards_are_redeemed_exactly_as_often_as_allowed(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let codes = batch_codes(&h, 3, 500).await;
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.replace('-', "").len() >= 26), "≥ 128 bits of base32: {codes:?}");
    let mut users = Vec::new();
    for _ in 0..50 {
        users.push(customer(&pool).await);
    }
    let race = |users: Vec<Uuid>, code: String| {
        let h = h.clone();
        async move {
            let tasks: Vec<_> = users
                .into_iter()
                .map(|u| {
                    let (h, code) = (h.clone(), code.clone());
                    tokio::spawn(async move {
                        h.state.wallet.gift_cards.redeem(u, &code, &ClientInfo::default(), None).await
                    })
                })
                .collect();
            let mut ok = 0;
            for t in tasks {
                match t.await.unwrap() {
                    Ok(_) => ok += 1,
                    Err(e) => assert!(
                        ["gift_card_already_redeemed", "gift_card_exhausted"].contains(&e.code().as_str()),
                        "{e}"
                    ),
                }
            }
            ok
        }
    };
    assert_eq!(race(users.clone(), codes[0].clone()).await, 1, "a batch card once");
    let special = NewSpecialCard::new("LAUNCH-2026", 300, 10, None, chrono::Utc::now()).unwrap();
    h.state.wallet.gift_cards.create_special(&Actor::cli(), &special).await.unwrap();
    assert_eq!(race(users[..30].to_vec(), "launch2026".into()).await, 10, "max_redemptions = 10");
    let roomy = NewSpecialCard::new("SPRING_SALE", 300, 100, None, chrono::Utc::now()).unwrap();
    h.state.wallet.gift_cards.create_special(&Actor::cli(), &roomy).await.unwrap();
    assert_eq!(race(vec![users[45]; 10], "spring_sale".into()).await, 1, "each customer once");
    let credited: i64 = sqlx::query_scalar("SELECT coalesce(sum(available), 0)::bigint FROM wallet.wallets")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(credited, 500 + 11 * 300);
    assert_ledger_balanced(&pool).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn auto_cancel_racing_a_payment_ends_one_way(pool: PgPool) {
    let h = harness(pool.clone()).await;
    set_shop(&h, json!({ "max_unpaid_orders": 1000 })).await;
    let product = product(&h, 700).await;
    h.state.shop.coupons.create(&Actor::cli(), &coupon("RACE", None, 100)).await.unwrap();
    let user = customer(&pool).await;
    deposit(&h, user, 100_000).await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(order(&h, user, product, Some("RACE")).await);
    }
    sqlx::query("UPDATE shop.orders SET expires_at = now() - interval '1 second' WHERE user_id = $1")
        .bind(user)
        .execute(&pool)
        .await
        .unwrap();
    let canceller = {
        let h = h.clone();
        tokio::spawn(async move { h.state.shop.orders.cancel_expired(100).await })
    };
    let payers: Vec<_> = ids
        .iter()
        .map(|&id| {
            let h = h.clone();
            tokio::spawn(async move { h.state.shop.checkout.pay_with_wallet(user, id).await })
        })
        .collect();
    let cancelled = canceller.await.unwrap().unwrap();
    let mut paid = 0;
    for p in payers {
        if p.await.unwrap().is_ok() {
            paid += 1;
        }
    }
    assert_eq!(paid + cancelled as usize, 20, "every order either paid or cancelled");
    for id in ids {
        let (status, uses): (String, i64) = sqlx::query_as(
            "SELECT o.status, (SELECT count(*) FROM shop.coupon_uses u WHERE u.order_id = o.id AND u.released_at IS NULL)
               FROM shop.orders o WHERE o.id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(status == "paid" || status == "cancelled", "{status}");
        assert_eq!(uses, i64::from(status == "paid"), "the coupon use is released exactly when cancelled");
    }
    let coupon_uses: i64 =
        sqlx::query_scalar("SELECT uses::bigint FROM shop.coupons WHERE code = 'RACE'").fetch_one(&pool).await.unwrap();
    assert_eq!(coupon_uses, paid as i64);
    assert_eq!(available(&pool, user).await, 100_000 - 600 * paid as i64);
    assert_ledger_balanced(&pool).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn reconciliation_finds_a_balance_edited_by_hand(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let honest = customer(&pool).await;
    let edited = customer(&pool).await;
    deposit(&h, honest, 1_000).await;
    deposit(&h, edited, 1_000).await;
    assert_eq!(helium_infra::wallet::reconcile::reconcile(&h.state.db, &h.state.keys).await.unwrap(), 0);
    sqlx::query("UPDATE wallet.wallets SET available = available + 5000 WHERE user_id = $1")
        .bind(edited)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(helium_infra::wallet::reconcile::reconcile(&h.state.db, &h.state.keys).await.unwrap(), 1);
    assert_eq!(available(&pool, edited).await, 6_000, "reported, never silently fixed");
    let findings: Vec<Uuid> =
        sqlx::query_scalar("SELECT user_id FROM wallet.reconciliation_findings").fetch_all(&pool).await.unwrap();
    assert_eq!(findings, vec![edited]);
    assert_eq!(count(&pool, "SELECT count(*) FROM staff.audit_log WHERE action = 'wallet.drift'").await, 1);
    let ledger_edit = sqlx::query("UPDATE wallet.entries SET amount = amount + 1").execute(&pool).await;
    assert!(ledger_edit.is_err(), "the ledger is append-only");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn another_customers_order_is_not_found_everywhere(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let owner = customer(&pool).await;
    deposit(&h, owner, 1_000).await;
    let id = order(&h, owner, product, None).await;
    create_user(&pool, "mallory@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("mallory@example.test", GOOD_PASSWORD).await;
    let calls: [(Method, String); 4] = [
        (Method::GET, format!("/api/v1/orders/{id}")),
        (Method::POST, format!("/api/v1/orders/{id}/cancel")),
        (Method::POST, format!("/api/v1/orders/{id}/pay/wallet")),
        (Method::POST, format!("/api/v1/orders/{id}/pay/gateway")),
    ];
    for (method, path) in calls {
        let body = path.ends_with("gateway").then(|| json!({ "payment_method_id": Uuid::now_v7() }));
        let mut req = request(method.clone(), &path, Some(&token), body.as_ref());
        req.headers_mut().insert("idempotency-key", Uuid::now_v7().to_string().parse().unwrap());
        h.call(req).await.expect(404, "not_found");
    }
    let mine = h.authed(Method::GET, "/api/v1/orders", &token, None).await;
    assert_eq!(mine.ok(200)["items"], json!([]));
    let ledger = h.authed(Method::GET, "/api/v1/wallet/ledger", &token, None).await;
    assert_eq!(ledger.ok(200)["items"], json!([]));
    let status: String =
        sqlx::query_scalar("SELECT status FROM shop.orders WHERE id = $1").bind(id).fetch_one(&pool).await.unwrap();
    assert_eq!(status, "unpaid");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn partial_refunds_add_up_to_the_total_and_top_ups_are_not_refunded(pool: PgPool) {
    use helium_domain::shop::commands::{MarkPaid, Refund};
    let h = harness(pool.clone()).await;
    let big = product(&h, 2_000).await;
    let user = customer(&pool).await;
    deposit(&h, user, 2_000).await;
    let id = order(&h, user, big, None).await;
    h.state.shop.checkout.pay_with_wallet(user, id).await.unwrap();
    let refund = |amount: Option<i64>| Refund::new("goodwill", amount, false).unwrap();
    let checkout = &h.state.shop.checkout;
    assert_eq!(checkout.refund(&Actor::cli(), id, &refund(Some(500))).await.unwrap().refund_amount, Some(500));
    assert_eq!(checkout.refund(&Actor::cli(), id, &refund(Some(700))).await.unwrap().refund_amount, Some(1_200));
    let too_much = checkout.refund(&Actor::cli(), id, &refund(Some(900))).await.unwrap_err();
    assert_eq!(too_much.code().as_str(), "validation_failed");
    assert_eq!(checkout.refund(&Actor::cli(), id, &refund(None)).await.unwrap().refund_amount, Some(2_000));
    let done = checkout.refund(&Actor::cli(), id, &refund(None)).await.unwrap_err();
    assert_eq!(done.code().as_str(), "order_not_refundable");
    assert_eq!(available(&pool, user).await, 2_000, "refunded exactly what was paid");

    // Twenty refunds of 100 at once on a fresh order: never more than the total.
    deposit(&h, user, 1_000).await;
    let small = product(&h, 1_000).await;
    let id = order(&h, user, small, None).await;
    h.state.shop.checkout.pay_with_wallet(user, id).await.unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move {
                h.state.shop.checkout.refund(&Actor::cli(), id, &Refund::new("x", Some(100), false).unwrap()).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 10);

    let top_up = h.state.shop.top_ups.create(user, 500, None).await.unwrap();
    h.state
        .shop
        .checkout
        .mark_paid(&Actor::cli(), top_up.id, &MarkPaid::new("bank transfer", None).unwrap())
        .await
        .unwrap();
    let before = available(&pool, user).await;
    let refused = checkout.refund(&Actor::cli(), top_up.id, &refund(None)).await.unwrap_err();
    assert_eq!(refused.code().as_str(), "order_not_refundable");
    assert_eq!(available(&pool, user).await, before, "a top-up is never paid back twice");
    assert_ledger_balanced(&pool).await;
}
