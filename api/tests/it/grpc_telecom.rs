//! gRPC TelecomService: the same answers as the REST customer routes, through a real client.

use axum::http::Method;
use helium_api::grpc::pb;
use helium_api::grpc::pb::telecom_service_client::TelecomServiceClient;
use serde_json::json;
use sqlx::PgPool;
use tonic::Request;

use crate::support::*;
use crate::telecom_agents::{buy, plan, setup};

fn call<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

fn code(s: &tonic::Status) -> &str {
    s.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn telecom_over_grpc_answers_as_rest(pool: PgPool) {
    let (h, _) = setup(&pool).await;
    let product = plan(&h, 10_000).await;
    let dana = create_user(&pool, "dana@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("dana@example.test", GOOD_PASSWORD).await;
    let erin = create_user(&pool, "erin@example.test", GOOD_PASSWORD).await;
    buy(&h, dana, product).await;
    buy(&h, dana, product).await;
    buy(&h, erin, product).await;
    let (ch, stop) = crate::grpc_shop::serve(&h).await;
    let mut telecom = TelecomServiceClient::new(ch);

    // Packages: the same items, positions and fields as REST.
    let rest = h.authed(Method::GET, "/api/v1/packages", &token, None).await.ok(200).clone();
    let page = telecom.list_my_packages(call(pb::ListPackagesRequest::default(), &token)).await.unwrap().into_inner();
    assert_eq!(page.items.len(), 2);
    for (g, r) in page.items.iter().zip(rest["items"].as_array().unwrap()) {
        assert_eq!(json!(g.id), r["id"]);
        assert_eq!(json!(g.position), r["position"]);
        assert_eq!(json!(g.status), r["status"]);
        assert_eq!(json!(g.traffic_bytes), r["traffic_bytes"]);
    }
    let bad = pb::ListPackagesRequest { status: Some("paused".into()), ..Default::default() };
    let e = telecom.list_my_packages(call(bad, &token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::InvalidArgument, "validation_failed"));
    let rest_bad = h.authed(Method::GET, "/api/v1/packages?status=paused", &token, None).await;
    rest_bad.expect(422, "validation_failed");

    // Someone else's package: not found on both.
    let erins: uuid::Uuid = sqlx::query_scalar("SELECT id FROM telecom.packages WHERE user_id = $1")
        .bind(erin)
        .fetch_one(&pool)
        .await
        .unwrap();
    let e = telecom.get_my_package(call(pb::PackageIdRequest { id: erins.to_string() }, &token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::NotFound, "not_found"));
    let e = telecom.get_my_package(call(pb::PackageIdRequest { id: "x\0y".into() }, &token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::InvalidArgument, "malformed_request"), "as over REST");
    h.authed(Method::GET, "/api/v1/packages/x%00y", &token, None).await.expect(400, "malformed_request");

    // Usage and nodes match.
    let usage = telecom.get_usage(call(pb::Empty {}, &token)).await.unwrap().into_inner();
    let rest_usage = h.authed(Method::GET, "/api/v1/usage", &token, None).await.ok(200).clone();
    assert_eq!(json!(usage.remaining), rest_usage["remaining"]);
    assert_eq!(json!(usage.active_package.unwrap().id), rest_usage["active_package"]["id"]);
    assert_eq!(usage.queued.len(), 1);
    let nodes = telecom.list_my_nodes(call(pb::Empty {}, &token)).await.unwrap().into_inner();
    let rest_nodes = h.authed(Method::GET, "/api/v1/nodes", &token, None).await.ok(200).clone();
    assert_eq!(nodes.items.len(), rest_nodes["items"].as_array().unwrap().len());
    assert_eq!(json!(nodes.items[0].name), rest_nodes["items"][0]["name"]);

    // Subscription: the same token; rotation over gRPC is seen by REST; links agree.
    let sub = telecom.get_subscription(call(pb::Empty {}, &token)).await.unwrap().into_inner();
    let rest_sub = h.authed(Method::GET, "/api/v1/subscription", &token, None).await.ok(200).clone();
    assert_eq!(json!(sub.token), rest_sub["token"]);
    let rotated = telecom.rotate_subscription_token(call(pb::Empty {}, &token)).await.unwrap().into_inner();
    assert_ne!(rotated.token, sub.token);
    let rest_after = h.authed(Method::GET, "/api/v1/subscription", &token, None).await.ok(200).clone();
    assert_eq!(json!(rotated.token), rest_after["token"]);
    let links = telecom
        .list_subscription_links(call(pb::ListSubscriptionLinksRequest::default(), &token))
        .await
        .unwrap()
        .into_inner();
    let rest_links = h.authed(Method::GET, "/api/v1/subscription/links", &token, None).await.ok(200).clone();
    assert_eq!(links.items.len(), rest_links["items"].as_array().unwrap().len());
    assert!(links.items.iter().all(|l| l.url.contains(&rotated.token)));

    // No token: unauthenticated.
    let e = telecom.get_usage(Request::new(pb::Empty {})).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unauthenticated);
    stop.cancel();
}
