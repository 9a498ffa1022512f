//! gRPC: health, reflection, the meta adapter and the error mapping, through a real tonic client.

use std::time::Duration;

use helium_api::grpc::pb::GetMetaRequest;
use helium_api::grpc::pb::meta_service_client::MetaServiceClient;
use helium_infra::{MqHandle, RedisHandle};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

async fn start(pool: PgPool) -> (String, CancellationToken) {
    start_with(pool, false).await
}

async fn start_with(pool: PgPool, reflection: bool) -> (String, CancellationToken) {
    let redis = RedisHandle::new("redis://127.0.0.1:6379", format!("test:{}:", uuid::Uuid::new_v4())).unwrap();
    let state = helium_api::state::AppState::new(pool, redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f"));
    state.config.ensure_defaults().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    tokio::spawn(helium_api::grpc::serve(listener, state, stop.clone(), reflection));
    (format!("http://{addr}"), stop)
}

async fn channel(url: &str) -> tonic::transport::Channel {
    for _ in 0..100 {
        if let Ok(ch) = tonic::transport::Endpoint::from_shared(url.to_owned()).unwrap().connect().await {
            return ch;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("gRPC server did not come up");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn health_reports_serving(pool: PgPool) {
    let (url, stop) = start(pool).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel(&url).await);
    for service in ["", "helium.v1.MetaService"] {
        let res =
            health.check(tonic_health::pb::HealthCheckRequest { service: service.into() }).await.unwrap().into_inner();
        assert_eq!(res.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32, "{service}");
    }
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn get_meta_matches_rest(pool: PgPool) {
    let (url, stop) = start(pool).await;
    let meta = MetaServiceClient::new(channel(&url).await).get_meta(GetMetaRequest {}).await.unwrap().into_inner();
    assert_eq!(meta.api_version, "v1");
    assert_eq!(meta.helium_version, env!("CARGO_PKG_VERSION"));
    assert!(meta.registration_open);
    let policy = meta.password_policy.unwrap();
    assert_eq!((policy.min_length, policy.max_length), (8, 128));
    assert!(meta.subscription_formats.contains(&"clash".to_owned()));
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn errors_carry_the_rest_code(pool: PgPool) {
    let (url, stop) = start(pool.clone()).await;
    sqlx::query("DELETE FROM application__config WHERE key = 'auth'").execute(&pool).await.unwrap();
    // The in-process config cache lives up to 1 s and the Redis entry up to 3 s.
    let mut client = MetaServiceClient::new(channel(&url).await);
    let deadline = std::time::Instant::now() + Duration::from_secs(6);
    let status = loop {
        match client.get_meta(GetMetaRequest {}).await {
            Err(status) => break status,
            Ok(_) if std::time::Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            Ok(_) => panic!("missing config never surfaced as an error"),
        }
    };
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("service_unavailable"));
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn reflection_is_off_unless_enabled(pool: PgPool) {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;

    let (url, stop) = start(pool).await;
    let mut client = ServerReflectionClient::new(channel(&url).await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let status = client.server_reflection_info(futures::stream::iter(vec![request])).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented, "{status:?}");
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn reflection_lists_the_services_when_enabled(pool: PgPool) {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let (url, stop) = start_with(pool, true).await;
    let mut client = ServerReflectionClient::new(channel(&url).await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = client.server_reflection_info(futures::stream::iter(vec![request])).await.unwrap().into_inner();
    let response = stream.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(names.contains(&"helium.v1.MetaService".to_owned()), "{names:?}");
    assert!(names.contains(&"grpc.health.v1.Health".to_owned()), "{names:?}");
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn auth_service_signs_up_and_authenticates(pool: PgPool) {
    use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
    use helium_api::grpc::pb::{CompleteRegistrationRequest, Empty, RegisterRequest};

    let (url, stop) = start(pool.clone()).await;
    let mut client = AuthServiceClient::new(channel(&url).await);
    let sent = client
        .register(RegisterRequest { email: "Grpc.User@Example.test".into(), referral_code: None })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sent.status, "email_sent");
    let link = crate::support::mail::latest_link(&pool, "grpc.user@example.test").await;
    let token = link.rsplit("token=").next().unwrap().to_owned();
    let done = client
        .complete_registration(CompleteRegistrationRequest { token, password: "a long enough passphrase".into() })
        .await
        .unwrap()
        .into_inner();
    let access = done.tokens.unwrap().access_token;

    let mut req = tonic::Request::new(Empty {});
    req.metadata_mut().insert("authorization", format!("Bearer {access}").parse().unwrap());
    let me = client.get_me(req).await.unwrap().into_inner();
    assert_eq!(me.email, "grpc.user@example.test");

    let status = client.get_me(tonic::Request::new(Empty {})).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("unauthenticated"));

    let mut bad = tonic::Request::new(Empty {});
    bad.metadata_mut().insert("authorization", "Bearer not.a.jwt".parse().unwrap());
    assert_eq!(client.get_me(bad).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn auth_service_manages_methods_and_totp(pool: PgPool) {
    use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
    use helium_api::grpc::pb::{
        CompleteRegistrationRequest, Empty, OauthAuthorizeRequest, RegisterRequest, RemoveLoginMethodRequest,
        SetPasswordRequest,
    };

    let (url, stop) = start(pool.clone()).await;
    let mut client = AuthServiceClient::new(channel(&url).await);
    client.register(RegisterRequest { email: "methods@example.test".into(), referral_code: None }).await.unwrap();
    let link = crate::support::mail::latest_link(&pool, "methods@example.test").await;
    let token = link.rsplit("token=").next().unwrap().to_owned();
    let done = client
        .complete_registration(CompleteRegistrationRequest { token, password: "a long enough passphrase".into() })
        .await
        .unwrap()
        .into_inner();
    let bearer = format!("Bearer {}", done.tokens.unwrap().access_token);
    fn with_bearer<T>(bearer: &str, msg: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(msg);
        req.metadata_mut().insert("authorization", bearer.parse().unwrap());
        req
    }
    let authed = |msg| with_bearer(&bearer, msg);

    let methods = client.list_login_methods(authed(Empty {})).await.unwrap().into_inner();
    let kinds: Vec<_> = methods.items.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["password", "email_code"]);

    // Method changes need a recent re-authentication, sent as `x-reauth-token` metadata.
    let status = client
        .remove_login_method(with_bearer(&bearer, RemoveLoginMethodRequest { id: "email_code".into() }))
        .await
        .unwrap_err();
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("reauth_required"));
    let grant = client
        .reauthenticate(with_bearer(
            &bearer,
            helium_api::grpc::pb::ReauthRequest {
                password: Some("a long enough passphrase".into()),
                code: None,
                email_code: None,
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let authed_set = |msg| {
        let mut req = with_bearer(&bearer, msg);
        req.metadata_mut().insert("x-reauth-token", grant.reauth_token.parse().unwrap());
        req
    };
    let authed_remove = |msg| {
        let mut req = with_bearer(&bearer, msg);
        req.metadata_mut().insert("x-reauth-token", grant.reauth_token.parse().unwrap());
        req
    };

    let status = client
        .set_password(authed_set(SetPasswordRequest { new_password: "another long passphrase".into() }))
        .await
        .unwrap_err();
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("password_already_set"));

    client.remove_login_method(authed_remove(RemoveLoginMethodRequest { id: "email_code".into() })).await.unwrap();
    let status = client
        .remove_login_method(authed_remove(RemoveLoginMethodRequest { id: "password".into() }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("last_login_method"));

    let setup = client.setup_totp(authed(Empty {})).await.unwrap().into_inner();
    assert!(setup.otpauth_uri.starts_with("otpauth://totp/"));

    let status = client
        .get_oauth_authorization_url(OauthAuthorizeRequest { provider: "nowhere".into(), redirect_uri: None })
        .await
        .unwrap_err();
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("oauth_provider_unknown"));
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn sign_in_attempts_share_the_rest_rate_limit(pool: PgPool) {
    use helium_api::grpc::pb::LoginRequest;
    use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
    use helium_api::http::rate_limit::{Limit, RateLimits, RouteClass};

    let redis = RedisHandle::new("redis://127.0.0.1:6379", format!("test:{}:", uuid::Uuid::new_v4())).unwrap();
    let limits = RateLimits::default().with_limit(RouteClass::Auth, Limit { requests: 3, window_secs: 60 });
    let state = helium_api::state::AppState::new(pool, redis, MqHandle::new("amqp://guest:guest@127.0.0.1:5672/%2f"))
        .with_rate_limits(limits);
    state.config.ensure_defaults().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    tokio::spawn(helium_api::grpc::serve(listener, state, stop.clone(), false));
    let mut client = AuthServiceClient::new(channel(&url).await);
    let attempt = || LoginRequest { email: "nobody@example.test".into(), password: "wrong password 1".into() };
    for _ in 0..3 {
        let status = client.login(attempt()).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
    }
    let status = client.login(attempt()).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert_eq!(status.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()), Some("rate_limited"));
    stop.cancel();
}
