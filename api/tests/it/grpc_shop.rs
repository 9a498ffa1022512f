//! gRPC ShopService and WalletService: the same answers as REST, through a real tonic client.

use std::time::Duration;

use axum::http::Method;
use helium_api::grpc::pb;
use helium_api::grpc::pb::shop_service_client::ShopServiceClient;
use helium_api::grpc::pb::wallet_service_client::WalletServiceClient;
use serde_json::json;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use tonic::Request;

use crate::support::shop::*;
use crate::support::*;

pub(crate) async fn serve(h: &Harness) -> (tonic::transport::Channel, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    tokio::spawn(helium_api::grpc::serve(listener, h.state.clone(), stop.clone(), false));
    for _ in 0..100 {
        if let Ok(ch) = tonic::transport::Endpoint::from_shared(url.clone()).unwrap().connect().await {
            return (ch, stop);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("gRPC server did not come up");
}

fn call<T>(msg: T, token: &str, key: Option<&str>) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    if let Some(k) = key {
        req.metadata_mut().insert("idempotency-key", k.parse().unwrap());
    }
    req
}

fn code(s: &tonic::Status) -> &str {
    s.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customers_shop_and_pay_over_grpc_as_over_rest(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let product = product(&h, 700).await;
    let user = create_user(&pool, "grpc-buyer@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("grpc-buyer@example.test", GOOD_PASSWORD).await;
    create_user(&pool, "grpc-other@example.test", GOOD_PASSWORD).await;
    let (other, _) = h.session("grpc-other@example.test", GOOD_PASSWORD).await;
    deposit(&h, user, 1_000).await;
    let (ch, stop) = serve(&h).await;
    let mut shop = ShopServiceClient::new(ch.clone());
    let mut wallet = WalletServiceClient::new(ch);

    let anonymous = shop.list_products(Request::new(pb::PageRequest::default())).await.unwrap().into_inner();
    assert_eq!(anonymous.items.len(), 1, "the public group sees the product");
    assert_eq!(anonymous.items[0].price.as_ref().unwrap().amount, 700);

    let create = || pb::CreateOrderRequest { product_id: product.to_string(), coupon_code: None };
    let missing = shop.create_order(call(create(), &token, None)).await.unwrap_err();
    assert_eq!((missing.code(), code(&missing)), (tonic::Code::InvalidArgument, "idempotency_key_missing"));
    let first = shop.create_order(call(create(), &token, Some("order-1"))).await.unwrap().into_inner();
    let again = shop.create_order(call(create(), &token, Some("order-1"))).await.unwrap().into_inner();
    assert_eq!(first.id, again.id, "one key, one order");
    assert_eq!(first.status, "unpaid");

    let foreign = shop.get_order(call(pb::IdRequest { id: first.id.clone() }, &other, None)).await.unwrap_err();
    assert_eq!((foreign.code(), code(&foreign)), (tonic::Code::NotFound, "not_found"));
    let stolen = shop.pay_order_with_wallet(call(pb::IdRequest { id: first.id.clone() }, &other, Some("x"))).await;
    assert_eq!(code(&stolen.unwrap_err()), "not_found");

    let paid = shop.pay_order_with_wallet(call(pb::IdRequest { id: first.id.clone() }, &token, Some("pay-1"))).await;
    assert_eq!(paid.unwrap().into_inner().status, "paid");
    let w = wallet.get_wallet(call(pb::Empty {}, &token, None)).await.unwrap().into_inner();
    assert_eq!(w.available.unwrap().amount, 300);
    let rest = h.authed(Method::GET, "/api/v1/wallet", &token, None).await;
    assert_eq!(rest.ok(200)["available"], json!({ "amount": 300, "currency": "CNY" }));
    let ledger = wallet.list_wallet_ledger(call(pb::LedgerRequest::default(), &token, None)).await.unwrap();
    let kinds: Vec<String> = ledger.into_inner().items.into_iter().map(|e| e.r#type).collect();
    assert_eq!(kinds, ["order_payment", "adjustment"]);

    // The same bad input, the same field error on both adapters.
    let bad = pb::CreateOrderRequest { product_id: product.to_string(), coupon_code: Some("a\u{0}b".into()) };
    let grpc = shop.create_order(call(bad, &token, Some("order-2"))).await.unwrap_err();
    assert_eq!((grpc.code(), code(&grpc)), (tonic::Code::InvalidArgument, "validation_failed"));
    let mut req = request(
        Method::POST,
        "/api/v1/orders",
        Some(&token),
        Some(&json!({
            "product_id": product, "coupon_code": "a\u{0}b"
        })),
    );
    req.headers_mut().insert("idempotency-key", "order-2".parse().unwrap());
    let rest = h.call(req).await;
    rest.expect(422, "validation_failed");
    use tonic_types::StatusExt;
    let fields: Vec<String> =
        grpc.get_details_bad_request().unwrap().field_violations.into_iter().map(|v| v.field).collect();
    assert_eq!(fields, ["coupon_code"]);
    assert_eq!(rest.body["errors"][0]["field"], "coupon_code");

    let bad_code =
        wallet.redeem_gift_card(call(pb::RedeemGiftCardRequest { code: "x".into() }, &token, Some("g1"))).await;
    assert_eq!(code(&bad_code.unwrap_err()), "validation_failed");
    let top_up = wallet.create_top_up(call(pb::CreateTopUpRequest { amount: 0 }, &token, Some("t1"))).await;
    assert!(top_up.is_err());
    stop.cancel();
}
