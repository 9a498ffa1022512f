//! gRPC listener (tonic): `grpc.health.v1`, server reflection and the domain adapters.
//! Adapters convert messages and call the same services as REST — nothing more.

pub mod admin;
pub mod admin_governance;
pub mod admin_market;
pub mod auth;
pub mod error;
pub mod market;
pub mod meta;
pub mod notify;
pub mod shop;
pub mod support;
pub mod telecom;
pub mod webhooks;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// Generated protobuf/tonic code.
#[expect(
    clippy::allow_attributes,
    clippy::allow_attributes_without_reason,
    reason = "tonic-prost writes its own #[allow]s into generated code"
)]
pub mod pb {
    tonic::include_proto!("helium.v1");
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("helium_descriptor");
}

/// Serves every gRPC service on `listener` until `stop`; server reflection only when `reflection`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    stop: CancellationToken,
    reflection: bool,
) -> anyhow::Result<()> {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter.set_serving::<pb::meta_service_server::MetaServiceServer<meta::MetaGrpc>>().await;
    reporter.set_serving::<pb::auth_service_server::AuthServiceServer<auth::AuthGrpc>>().await;
    reporter.set_serving::<pb::admin_service_server::AdminServiceServer<admin::AdminGrpc>>().await;
    reporter.set_serving::<pb::audit_service_server::AuditServiceServer<admin_governance::AuditGrpc>>().await;
    reporter.set_serving::<pb::config_service_server::ConfigServiceServer<admin_governance::ConfigGrpc>>().await;
    reporter
        .set_serving::<pb::customers_service_server::CustomersServiceServer<admin_governance::CustomersGrpc>>()
        .await;
    reporter.set_serving::<pb::shop_service_server::ShopServiceServer<shop::ShopGrpc>>().await;
    reporter.set_serving::<pb::wallet_service_server::WalletServiceServer<shop::WalletGrpc>>().await;
    reporter.set_serving::<pb::telecom_service_server::TelecomServiceServer<telecom::TelecomGrpc>>().await;
    reporter.set_serving::<pb::market_service_server::MarketServiceServer<market::MarketGrpc>>().await;
    reporter.set_serving::<pb::notify_service_server::NotifyServiceServer<notify::NotifyGrpc>>().await;
    reporter.set_serving::<pb::affiliate_service_server::AffiliateServiceServer<admin_market::AffiliateGrpc>>().await;
    reporter
        .set_serving::<pb::announcement_service_server::AnnouncementServiceServer<admin_market::AnnouncementGrpc>>()
        .await;
    reporter.set_serving::<pb::support_service_server::SupportServiceServer<support::SupportGrpc>>().await;
    reporter
        .set_serving::<pb::admin_support_service_server::AdminSupportServiceServer<support::AdminSupportGrpc>>()
        .await;
    reporter.set_serving::<pb::webhook_service_server::WebhookServiceServer<webhooks::WebhookGrpc>>().await;
    reporter.set_service_status("", tonic_health::ServingStatus::Serving).await;
    let reflection = if reflection {
        Some(
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                .build_v1()?,
        )
    } else {
        None
    };
    tonic::transport::Server::builder()
        .trace_fn(crate::otel::grpc_span)
        .add_service(health)
        .add_optional_service(reflection)
        .add_service(pb::meta_service_server::MetaServiceServer::new(meta::MetaGrpc::new(state.clone())))
        .add_service(pb::auth_service_server::AuthServiceServer::new(auth::AuthGrpc::new(state.clone())))
        .add_service(pb::admin_service_server::AdminServiceServer::new(admin::AdminGrpc::new(state.clone())))
        .add_service(pb::audit_service_server::AuditServiceServer::new(admin_governance::AuditGrpc::new(state.clone())))
        .add_service(pb::config_service_server::ConfigServiceServer::new(admin_governance::ConfigGrpc::new(
            state.clone(),
        )))
        .add_service(pb::customers_service_server::CustomersServiceServer::new(admin_governance::CustomersGrpc::new(
            state.clone(),
        )))
        .add_service(pb::shop_service_server::ShopServiceServer::new(shop::ShopGrpc::new(state.clone())))
        .add_service(pb::wallet_service_server::WalletServiceServer::new(shop::WalletGrpc::new(state.clone())))
        .add_service(pb::telecom_service_server::TelecomServiceServer::new(telecom::TelecomGrpc::new(state.clone())))
        .add_service(pb::market_service_server::MarketServiceServer::new(market::MarketGrpc::new(state.clone())))
        .add_service(pb::notify_service_server::NotifyServiceServer::new(notify::NotifyGrpc::new(state.clone())))
        .add_service(pb::affiliate_service_server::AffiliateServiceServer::new(admin_market::AffiliateGrpc::new(
            state.clone(),
        )))
        .add_service(pb::announcement_service_server::AnnouncementServiceServer::new(
            admin_market::AnnouncementGrpc::new(state.clone()),
        ))
        .add_service(pb::support_service_server::SupportServiceServer::new(support::SupportGrpc::new(state.clone())))
        .add_service(pb::admin_support_service_server::AdminSupportServiceServer::new(support::AdminSupportGrpc::new(
            state.clone(),
        )))
        .add_service(pb::webhook_service_server::WebhookServiceServer::new(webhooks::WebhookGrpc::new(state)))
        .serve_with_incoming_shutdown(tonic::transport::server::TcpIncoming::from(listener), stop.cancelled_owned())
        .await?;
    Ok(())
}

/// Rate limit of an anonymous gRPC call (or any call of the sign-in class), per peer address,
/// in the same counters as REST: gRPC gives no extra attempts.
pub(crate) async fn limit<T>(
    state: &AppState,
    req: &tonic::Request<T>,
    class: crate::http::rate_limit::RouteClass,
) -> Result<(), tonic::Status> {
    let who = format!("ip:{}", req.remote_addr().map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string()));
    crate::http::rate_limit::check(state, class, &who).await.map_err(tonic::Status::from)
}

/// Rate limit of an authenticated call in its class, per principal — the REST key (`p:<id>`).
/// Sign-in class calls count per address whoever calls.
pub(crate) async fn limit_principal<T>(
    state: &AppState,
    req: &tonic::Request<T>,
    class: crate::http::rate_limit::RouteClass,
    principal: &str,
) -> Result<(), tonic::Status> {
    if class == crate::http::rate_limit::RouteClass::Auth {
        return limit(state, req, class).await;
    }
    crate::http::rate_limit::check(state, class, &format!("p:{principal}")).await.map_err(tonic::Status::from)
}

/// The signed-in customer of a call (`authorization: Bearer …`), counted in `class` like the
/// REST route.
pub(crate) async fn customer<T>(
    state: &AppState,
    req: &tonic::Request<T>,
    class: crate::http::rate_limit::RouteClass,
) -> Result<helium_domain::auth::CustomerPrincipal, tonic::Status> {
    let me = optional_customer(state, req).await?.ok_or_else(|| {
        tonic::Status::from(crate::http::problem::ApiError::new(
            helium_domain::ErrorCode::Unauthenticated,
            "sign in to use this operation",
        ))
    })?;
    limit_principal(state, req, class, &format!("customer:{}", me.user_id)).await?;
    Ok(me)
}

/// The customer of a call that may also be anonymous; a bad token is still 401.
pub(crate) async fn optional_customer<T>(
    state: &AppState,
    req: &tonic::Request<T>,
) -> Result<Option<helium_domain::auth::CustomerPrincipal>, tonic::Status> {
    let Some(token) =
        req.metadata().get("authorization").and_then(|v| v.to_str().ok()).and_then(crate::http::customer::bearer_token)
    else {
        return Ok(None);
    };
    Ok(Some(state.auth.sessions.authenticate(token).await.map_err(err)?))
}

/// The caller's user agent and address, as REST's `Client` records them.
pub(crate) fn client<T>(req: &tonic::Request<T>) -> helium_domain::ClientInfo {
    let user_agent = req.metadata().get("user-agent").and_then(|v| v.to_str().ok());
    helium_domain::ClientInfo::new(user_agent, req.remote_addr().map(|a| a.ip().to_string()))
}

/// A use-case error as the gRPC status REST's problem maps to.
pub(crate) fn err(e: helium_domain::DomainError) -> tonic::Status {
    crate::http::problem::ApiError::from(e).into()
}
