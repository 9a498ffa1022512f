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

fn staff_call<T>(msg: T, token: &str) -> Request<T> {
    call(msg, token)
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_affiliates_and_announcements_over_grpc_follow_the_role_table(pool: PgPool) {
    use helium_api::grpc::pb::affiliate_service_client::AffiliateServiceClient;
    use helium_api::grpc::pb::announcement_service_client::AnnouncementServiceClient;
    let h = harness(pool.clone()).await;
    let customer = create_user(&pool, "erin@example.test", GOOD_PASSWORD).await;
    let (ch, stop) = crate::grpc_shop::serve(&h).await;
    let mut affiliates = AffiliateServiceClient::new(ch.clone());
    let mut announcements = AnnouncementServiceClient::new(ch);
    let moderator = staff(&h, Role::Moderator).await;
    let support = staff(&h, Role::CustomerSupport).await;

    // Policies: support reads, cannot write; a moderator writes (audited); bad rates named.
    let get = pb::AffiliateUserRequest { user_id: customer.to_string() };
    let p = affiliates.get_affiliate_policy(staff_call(get.clone(), &support.token)).await.unwrap().into_inner();
    assert!(p.enabled && p.referrer_id.is_none());
    let put = pb::PutAffiliatePolicyRequest {
        user_id: customer.to_string(),
        enabled: true,
        reward_rate: Some("0.25".into()),
        ..Default::default()
    };
    let e = affiliates.put_affiliate_policy(staff_call(put.clone(), &support.token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::PermissionDenied, "permission_denied"));
    let p = affiliates.put_affiliate_policy(staff_call(put, &moderator.token)).await.unwrap().into_inner();
    assert_eq!(p.reward_rate, "0.25");
    let rest = h.authed(Method::GET, &format!("/api/v1/admin/affiliates/{customer}"), &moderator.token, None).await;
    assert_eq!(rest.ok(200)["reward_rate"], "0.25");
    let bad = pb::PutAffiliatePolicyRequest {
        user_id: customer.to_string(),
        enabled: true,
        reward_rate: Some("2".into()),
        ..Default::default()
    };
    let e = affiliates.put_affiliate_policy(staff_call(bad, &moderator.token)).await.unwrap_err();
    assert_eq!(code(&e), "validation_failed");
    let e = affiliates
        .list_commissions(staff_call(pb::AdminListCommissionsRequest::default(), &support.token))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "permission_denied");
    affiliates
        .list_commissions(staff_call(pb::AdminListCommissionsRequest::default(), &moderator.token))
        .await
        .unwrap();

    // Announcements: created over gRPC, seen by REST; cleared expiry; deleted.
    let input = pb::AnnouncementInput { title: "Hi".into(), body: "There".into(), priority: 7, ..Default::default() };
    let e = announcements.create_announcement(staff_call(input.clone(), &support.token)).await.unwrap_err();
    assert_eq!(code(&e), "permission_denied");
    let a = announcements.create_announcement(staff_call(input, &moderator.token)).await.unwrap().into_inner();
    let rest = h.authed(Method::GET, &format!("/api/v1/admin/announcements/{}", a.id), &support.token, None).await;
    assert_eq!(rest.ok(200)["priority"], 7);
    let bad = pb::AnnouncementInput {
        title: "x".into(),
        body: "y".into(),
        group_ids: vec!["nope".into()],
        ..Default::default()
    };
    let e = announcements.create_announcement(staff_call(bad, &moderator.token)).await.unwrap_err();
    assert_eq!(code(&e), "validation_failed");
    let later = (chrono::Utc::now() + chrono::TimeDelta::days(1)).to_rfc3339();
    let upd = pb::UpdateAnnouncementRequest { id: a.id.clone(), expires_at: Some(later), ..Default::default() };
    assert!(
        announcements
            .update_announcement(staff_call(upd, &moderator.token))
            .await
            .unwrap()
            .into_inner()
            .expires_at
            .is_some()
    );
    let clear = pb::UpdateAnnouncementRequest { id: a.id.clone(), clear_expires_at: true, ..Default::default() };
    assert!(
        announcements
            .update_announcement(staff_call(clear, &moderator.token))
            .await
            .unwrap()
            .into_inner()
            .expires_at
            .is_none()
    );
    announcements
        .delete_announcement(staff_call(pb::AdminAnnouncementIdRequest { id: a.id.clone() }, &moderator.token))
        .await
        .unwrap();
    let e = announcements
        .get_announcement(staff_call(pb::AdminAnnouncementIdRequest { id: a.id }, &moderator.token))
        .await
        .unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::NotFound, "not_found"));
    let audited = count(
        &pool,
        "SELECT count(*) FROM staff.audit_log WHERE action LIKE 'announcement.%' OR action = 'affiliate_policy.update'",
    )
    .await;
    assert_eq!(audited, 5);
    stop.cancel();
}
