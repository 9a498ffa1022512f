//! gRPC MarketService, NotifyService and the e-mail change RPCs: the same answers and error
//! codes as REST, through a real client.

use axum::http::Method;
use helium_api::grpc::pb;
use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
use helium_api::grpc::pb::market_service_client::MarketServiceClient;
use helium_api::grpc::pb::notify_service_client::NotifyServiceClient;
use helium_domain::admin::Role;
use helium_domain::audit::Actor;
use helium_domain::shop::commands::GroupInput;
use serde_json::json;
use sqlx::PgPool;
use tonic::Request;
use uuid::Uuid;

use crate::support::staff::*;
use crate::support::*;

fn call<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

fn code(s: &tonic::Status) -> &str {
    s.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn market_and_notify_over_grpc_answer_as_rest(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "dana@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("dana@example.test", GOOD_PASSWORD).await;
    let (ch, stop) = crate::grpc_shop::serve(&h).await;
    let mut market = MarketServiceClient::new(ch.clone());
    let mut notify = NotifyServiceClient::new(ch.clone());
    let mut auth = AuthServiceClient::new(ch);

    // Invite codes: created over gRPC, listed by REST; deleting someone else's is not found.
    let made = market.create_invite_code(call(pb::Empty {}, &token)).await.unwrap().into_inner();
    let rest = h.authed(Method::GET, "/api/v1/invite-codes", &token, None).await.ok(200).clone();
    assert_eq!(rest["items"][0]["code"], json!(made.code));
    let listed = market.list_invite_codes(call(pb::PageRequest::default(), &token)).await.unwrap().into_inner();
    assert_eq!(listed.items[0].id, made.id);
    let e = market
        .delete_invite_code(call(pb::InviteCodeIdRequest { id: Uuid::now_v7().to_string() }, &token))
        .await
        .unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::NotFound, "not_found"));

    // Stats agree; a withdrawal is validated and refused the same way.
    let stats = market.get_referral_stats(call(pb::Empty {}, &token)).await.unwrap().into_inner();
    let rest_stats = h.authed(Method::GET, "/api/v1/referrals/stats", &token, None).await.ok(200).clone();
    assert_eq!(json!(stats.reward_rate), rest_stats["reward_rate"]);
    assert_eq!(json!(stats.codes_max), rest_stats["codes_max"]);
    let mut w = call(pb::WithdrawCommissionRequest { amount: 0 }, &token);
    w.metadata_mut().insert("idempotency-key", "g-1".parse().unwrap());
    let e = market.withdraw_commission(w).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::InvalidArgument, "validation_failed"));
    let mut w = call(pb::WithdrawCommissionRequest { amount: 100 }, &token);
    w.metadata_mut().insert("idempotency-key", "g-2".parse().unwrap());
    let e = market.withdraw_commission(w).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::FailedPrecondition, "insufficient_commission"));
    let e = market.withdraw_commission(call(pb::WithdrawCommissionRequest { amount: 100 }, &token)).await.unwrap_err();
    assert_eq!(code(&e), "idempotency_key_missing");
    let bad = pb::ListCommissionsRequest { status: Some("paid".into()), ..Default::default() };
    let e = market.list_commissions(call(bad, &token)).await.unwrap_err();
    assert_eq!(code(&e), "validation_failed");
    h.authed(Method::GET, "/api/v1/commissions?status=paid", &token, None).await.expect(422, "validation_failed");

    // Announcements: another group's is not found on both; the feed agrees.
    let vip = h.state.shop.groups.create(&Actor::cli(), &GroupInput::new("VIP", None).unwrap()).await.unwrap();
    let admin = staff(&h, Role::SuperAdmin).await;
    let hidden = h
        .authed(
            Method::POST,
            "/api/v1/admin/announcements",
            &admin.token,
            Some(json!({ "title": "VIP", "body": "x", "group_ids": [vip.id] })),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.authed(Method::POST, "/api/v1/admin/announcements", &admin.token, Some(json!({ "title": "All", "body": "y" })))
        .await
        .ok(201);
    let feed = notify.list_announcements(call(pb::PageRequest::default(), &token)).await.unwrap().into_inner();
    assert_eq!(feed.items.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["All"]);
    let e = notify.get_announcement(call(pb::AnnouncementIdRequest { id: hidden.clone() }, &token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::NotFound, "not_found"));
    h.authed(Method::GET, &format!("/api/v1/announcements/{hidden}"), &token, None).await.expect(404, "not_found");

    // Preferences: locked on both; a change over gRPC shows over REST.
    let locked = pb::UpdateNotificationPreferencesRequest { security: Some(false), ..Default::default() };
    let e = notify.update_notification_preferences(call(locked, &token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::InvalidArgument, "preference_locked"));
    let off = pb::UpdateNotificationPreferencesRequest { billing: Some(false), ..Default::default() };
    notify.update_notification_preferences(call(off, &token)).await.unwrap();
    let rest = h.authed(Method::GET, "/api/v1/notification-preferences", &token, None).await.ok(200).clone();
    let billing = rest["items"].as_array().unwrap().iter().find(|p| p["category"] == "billing").unwrap().clone();
    assert_eq!(billing["email"], false);

    // E-mail change: wrong password refused alike.
    let ask = pb::RequestEmailChangeRequest { new_email: "dana.new@example.test".into(), password: "wrong".into() };
    let e = auth.request_email_change(call(ask, &token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::PermissionDenied, "reauth_failed"));
    let e = auth
        .confirm_email_change(call(pb::ConfirmEmailChangeRequest { token: "nope".into() }, &token))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "link_invalid");
    stop.cancel();
}
