//! gRPC staff adapters (AdminService, AuditService, ConfigService, CustomersService) through a
//! real tonic client: the same credentials, permissions, MFA rule, validation and audit trail
//! as the REST staff routes.

use std::time::Duration;

use helium_api::grpc::pb;
use helium_api::grpc::pb::admin_service_client::AdminServiceClient;
use helium_api::grpc::pb::audit_service_client::AuditServiceClient;
use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
use helium_api::grpc::pb::config_service_client::ConfigServiceClient;
use helium_api::grpc::pb::customers_service_client::CustomersServiceClient;
use helium_api::state::AppState;
use helium_infra::{MqHandle, RedisHandle};
use serde_json::Value;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

const PASSWORD: &str = "staff passphrase 42";

async fn start(pool: PgPool) -> (AppState, Channel, CancellationToken) {
    let redis = RedisHandle::new("redis://127.0.0.1:6379", format!("test:{}:", uuid::Uuid::new_v4())).unwrap();
    let state = AppState::new(pool, redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f"));
    state.config.ensure_defaults().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    tokio::spawn(helium_api::grpc::serve(listener, state.clone(), stop.clone(), false));
    for _ in 0..100 {
        if let Ok(ch) = tonic::transport::Endpoint::from_shared(url.clone()).unwrap().connect().await {
            return (state, ch, stop);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("gRPC server did not come up");
}

/// A staff account of `role` with its password set (`helium-cli admin create` + setup link).
async fn create_staff(state: &AppState, role: &str) -> String {
    let role = helium_domain::admin::Role::parse(role).unwrap();
    crate::support::staff::create_staff(state, role, "Grpc Staff").await.1
}

/// Turns TOTP on over gRPC with the password-only token, then signs in with both steps.
async fn enrol(admin: &mut AdminServiceClient<Channel>, token: &str, email: &str) -> String {
    use crate::support::totp::{base32_decode, now_step, totp};
    let setup = admin.setup_totp(bearer(token, pb::Empty {})).await.unwrap().into_inner();
    let seed = base32_decode(&setup.secret);
    // The previous step must still be accepted when the request arrives: not at a step's very end.
    crate::support::totp::early_in_step(5).await;
    let code = totp(&seed, now_step() - 1);
    admin.enable_totp(bearer(token, pb::StaffTotpCodeRequest { code })).await.unwrap();
    let challenge = admin
        .login(pb::AdminLoginRequest { email: email.into(), password: PASSWORD.into() })
        .await
        .unwrap()
        .into_inner();
    assert!(challenge.mfa_required);
    let res = admin
        .login_mfa(pb::AdminLoginMfaRequest {
            mfa_token: challenge.mfa_token.unwrap(),
            code: Some(totp(&seed, now_step())),
            recovery_code: None,
        })
        .await
        .unwrap()
        .into_inner();
    res.access_token.unwrap()
}

async fn sign_in(admin: &mut AdminServiceClient<Channel>, email: &str) -> String {
    let res = admin
        .login(pb::AdminLoginRequest { email: email.into(), password: PASSWORD.into() })
        .await
        .unwrap()
        .into_inner();
    assert!(!res.mfa_required);
    assert_eq!(res.token_type.as_deref(), Some("Bearer"));
    res.access_token.unwrap()
}

/// A customer signed up through the customer AuthService RPCs: its id.
async fn customer(ch: &Channel, pool: &PgPool) -> String {
    let mut auth = AuthServiceClient::new(ch.clone());
    let email = format!("cust-{}@example.test", uuid::Uuid::new_v4().simple());
    auth.register(pb::RegisterRequest { email: email.clone(), referral_code: None }).await.unwrap();
    let link = crate::support::mail::latest_link(pool, &email).await;
    let token = link.rsplit("token=").next().unwrap().to_owned();
    let done = auth
        .complete_registration(pb::CompleteRegistrationRequest { token, password: "a long enough passphrase".into() })
        .await
        .unwrap()
        .into_inner();
    done.account.unwrap().id
}

fn bearer<T>(token: &str, msg: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

fn api_key<T>(key: &str, msg: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.metadata_mut().insert("x-api-key", key.parse().unwrap());
    req
}

fn code(status: &tonic::Status) -> &str {
    status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn ban(id: &str, reason: &str) -> pb::CustomerReasonRequest {
    pb::CustomerReasonRequest { id: id.into(), reason: reason.into() }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_services_follow_the_rest_rules(pool: PgPool) {
    let (state, ch, stop) = start(pool.clone()).await;
    let mut admin = AdminServiceClient::new(ch.clone());
    let mut customers = CustomersServiceClient::new(ch.clone());

    let health = tonic_health::pb::health_client::HealthClient::new(ch.clone());
    for service in
        ["helium.v1.AdminService", "helium.v1.AuditService", "helium.v1.ConfigService", "helium.v1.CustomersService"]
    {
        let res = health
            .clone()
            .check(tonic_health::pb::HealthCheckRequest { service: service.into() })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(res.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32, "{service}");
    }

    let super_email = create_staff(&state, "super_admin").await;
    let bot_email = create_staff(&state, "support_bot").await;
    let root = sign_in(&mut admin, &super_email).await;

    // Self-service reads.
    let me = admin.get_me(bearer(&root, pb::Empty {})).await.unwrap().into_inner();
    assert_eq!(me.admin.as_ref().unwrap().email.as_deref(), Some(super_email.as_str()));
    assert_eq!(me.admin.as_ref().unwrap().role, "super_admin");
    assert!(me.admin.as_ref().unwrap().password_set);
    assert!(me.permissions.contains(&"customers.ban".to_owned()));
    let roles = admin.list_roles(bearer(&root, pb::Empty {})).await.unwrap().into_inner();
    assert_eq!(roles.roles.len(), 4);
    assert!(roles.human_only.contains(&"config.manage".to_owned()));

    // No credential, and a customer-style garbage token.
    let status = admin.get_me(tonic::Request::new(pb::Empty {})).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert_eq!(code(&status), "unauthenticated");
    let status = customers.list_customers(bearer("not.a.jwt", pb::ListCustomersRequest::default())).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);

    let cust = customer(&ch, &pool).await;

    // Staff without TOTP may read but not write.
    let status = customers.ban_customer(bearer(&root, ban(&cust, "fraud"))).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert_eq!(code(&status), "mfa_required");
    let listed = customers.list_customers(bearer(&root, pb::ListCustomersRequest::default())).await.unwrap();
    assert!(listed.into_inner().items.iter().any(|c| c.id == cust));

    let page = admin.list_admins(bearer(&root, pb::ListAdminsRequest::default())).await.unwrap().into_inner();
    let emails: Vec<_> = page.items.iter().filter_map(|a| a.email.clone()).collect();
    assert!(emails.contains(&super_email) && emails.contains(&bot_email), "{emails:?}");

    // With TOTP on, writes pass the MFA rule; an empty reason gets REST's field error.
    let root = enrol(&mut admin, &root, &super_email).await;
    let status = customers.ban_customer(bearer(&root, ban(&cust, ""))).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(code(&status), "validation_failed");

    let mut req = bearer(&root, ban(&cust, "chargeback fraud"));
    req.metadata_mut().insert("x-request-id", "grpc-staff-ban-1".parse().unwrap());
    req.metadata_mut().insert("user-agent", "grpc-staff-test".parse().unwrap());
    let banned = customers.ban_customer(req).await.unwrap().into_inner();
    assert_eq!(banned.status, "banned");
    let status = customers.ban_customer(bearer(&root, ban(&cust, "again"))).await.unwrap_err();
    assert_eq!(code(&status), "invalid_state");

    // A SupportBot has customers.read but not customers.ban.
    let bot = sign_in(&mut admin, &bot_email).await;
    let detail =
        customers.get_customer(bearer(&bot, pb::CustomerIdRequest { id: cust.clone() })).await.unwrap().into_inner();
    assert_eq!(detail.account.unwrap().status, "banned");
    let status = customers.unban_customer(bearer(&bot, ban(&cust, "appeal"))).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert_eq!(code(&status), "permission_denied");
    let status = customers.ban_customer(bearer(&bot, ban(&cust, "x"))).await.unwrap_err();
    assert_eq!(code(&status), "permission_denied");

    // An API key made over gRPC works in `x-api-key`, within its narrowing, never for human-only ops.
    let created = admin
        .create_api_key(bearer(
            &root,
            pb::CreateApiKeyRequest {
                name: "grpc audit bot".into(),
                role: "super_admin".into(),
                permissions: Some(pb::ApiKeyPermissions {
                    items: vec!["audit.read".into(), "customers.read".into(), "customers.ban".into()],
                }),
                expires_at: None,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(created.key.starts_with("hel_key_"));
    assert_eq!(created.prefix, created.key[..16]);
    let keys = admin.list_api_keys(bearer(&root, pb::ListApiKeysRequest::default())).await.unwrap().into_inner();
    assert!(keys.items.iter().any(|k| k.id == created.id && k.revoked_at.is_none()));
    let status = admin.get_me(api_key(&created.key, pb::Empty {})).await.unwrap_err();
    assert_eq!(code(&status), "permission_denied");
    let status = admin.list_admins(api_key(&created.key, pb::ListAdminsRequest::default())).await.unwrap_err();
    assert_eq!(code(&status), "permission_denied");
    let unbanned =
        customers.unban_customer(api_key(&created.key, ban(&cust, "appeal granted"))).await.unwrap().into_inner();
    assert_eq!(unbanned.status, "active");

    // The audit log shows both changes with their reasons and actors.
    let mut audit = AuditServiceClient::new(ch.clone());
    let events = audit
        .list_audit_events(api_key(
            &created.key,
            pb::ListAuditEventsRequest {
                target_type: Some("customer".into()),
                target_id: Some(cust.clone()),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let ban_row = events.items.iter().find(|e| e.action == "customer.ban").expect("customer.ban audited");
    assert_eq!(ban_row.reason.as_deref(), Some("chargeback fraud"));
    assert_eq!(ban_row.request_id.as_deref(), Some("grpc-staff-ban-1"));
    assert_eq!(ban_row.user_agent.as_deref().map(|u| u.starts_with("grpc-staff-test")), Some(true));
    assert_eq!(ban_row.actor.as_ref().unwrap().r#type, "admin");
    assert_eq!(ban_row.actor.as_ref().unwrap().id, me.admin.as_ref().map(|a| a.id.clone()));
    let after: Value = serde_json::from_str(ban_row.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["status"], "banned");
    let unban_row = events.items.iter().find(|e| e.action == "customer.unban").expect("customer.unban audited");
    assert_eq!(unban_row.actor.as_ref().unwrap().r#type, "api_key");
    assert_eq!(unban_row.actor.as_ref().unwrap().id.as_deref(), Some(created.id.as_str()));
    assert!(unban_row.request_id.as_deref().is_some_and(|r| !r.is_empty()));
    let status = audit
        .list_audit_events(api_key(
            &created.key,
            pb::ListAuditEventsRequest { from: Some("yesterday".into()), ..Default::default() },
        ))
        .await
        .unwrap_err();
    assert_eq!(code(&status), "validation_failed");

    // Revoked at once.
    admin.revoke_api_key(bearer(&root, pb::StaffIdRequest { id: created.id.clone() })).await.unwrap();
    let status =
        audit.list_audit_events(api_key(&created.key, pb::ListAuditEventsRequest::default())).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn config_service_masks_secrets_and_checks_versions(pool: PgPool) {
    let (state, ch, stop) = start(pool.clone()).await;
    let mut admin = AdminServiceClient::new(ch.clone());
    let mut config = ConfigServiceClient::new(ch.clone());
    let root_email = create_staff(&state, "super_admin").await;
    let root = sign_in(&mut admin, &root_email).await;

    let list = config.list_config(bearer(&root, pb::Empty {})).await.unwrap().into_inner();
    assert!(list.items.iter().any(|c| c.key == "admin-jwt"), "{:?}", list.items);
    let doc =
        config.get_config(bearer(&root, pb::ConfigKeyRequest { key: "admin-jwt".into() })).await.unwrap().into_inner();
    let mut value: Value = serde_json::from_str(&doc.value).unwrap();
    assert_eq!(value["secret"], "********");

    // Writes follow the MFA rule (staff without TOTP may not write).
    let put_as = |token: &str, value: &Value, expected_version| {
        bearer(token, pb::PutConfigRequest { key: "admin-jwt".into(), value: value.to_string(), expected_version })
    };
    let status = config.put_config(put_as(&root, &value, Some(doc.version))).await.unwrap_err();
    assert_eq!(code(&status), "mfa_required");

    // With TOTP on, a write keeps the masked secret and bumps the version.
    let root = enrol(&mut admin, &root, &root_email).await;
    let put = |value: &Value, expected_version| put_as(&root, value, expected_version);
    value["invitation_expiration"] = serde_json::json!("86400");
    let current =
        config.get_config(bearer(&root, pb::ConfigKeyRequest { key: "admin-jwt".into() })).await.unwrap().into_inner();
    let written = config.put_config(put(&value, Some(current.version))).await.unwrap().into_inner();
    assert_eq!(written.version, current.version + 1);
    let shown: Value = serde_json::from_str(&written.value).unwrap();
    assert_eq!(shown["secret"], "********");
    let stored = state.config.load(helium_domain::config::ConfigKind::AdminJwt).await.unwrap().unwrap();
    assert_ne!(stored.value["secret"], "********");

    let status = config.put_config(put(&value, Some(current.version))).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Aborted);
    assert_eq!(code(&status), "precondition_failed");
    let status = config
        .put_config(bearer(
            &root,
            pb::PutConfigRequest { key: "admin-jwt".into(), value: "{".into(), expected_version: None },
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = config.get_config(bearer(&root, pb::ConfigKeyRequest { key: "nope".into() })).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    stop.cancel();
}
