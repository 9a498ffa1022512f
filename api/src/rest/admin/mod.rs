//! Staff REST routes (`/api/v1/admin/…`). Each route is declared with `staff_route`, naming
//! its permission next to the handler: that one declaration installs the guard, publishes
//! `x-helium-permission` and the staff security schemes in the OpenAPI document.

pub mod admins;
pub mod affiliates;
pub mod announcements;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod config;
pub mod coupons;
pub mod customers;
pub mod dto;
pub mod groups;
pub mod invitations;
pub mod nodes;
pub mod orders;
pub mod packages;
pub mod payment_methods;
pub mod stats;
pub mod tickets;
pub mod wallets;
pub mod webhooks;

use axum::middleware::from_fn;
use helium_domain::admin::Permission;
use serde_json::json;
use utoipa::openapi::security::SecurityRequirement;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::{idempotent, limited};
use crate::http::rate_limit::RouteClass;
use crate::http::staff;
use crate::state::AppState;

/// `x-helium-permission` of the few anonymous staff routes (setup, sign-in, accept).
pub const PUBLIC: &str = "public";

fn annotate(r: &mut UtoipaMethodRouter<AppState>, permission: &str, security: Vec<SecurityRequirement>) {
    for item in r.1.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            op.extensions.get_or_insert_with(Default::default).insert("x-helium-permission".into(), json!(permission));
            op.security = Some(security.clone());
        }
    }
}

/// A staff route: guarded by `permission` (default deny), rate-limited by `class`.
pub fn staff_route(
    mut r: UtoipaMethodRouter<AppState>,
    permission: Permission,
    class: RouteClass,
) -> UtoipaMethodRouter<AppState> {
    let mut schemes = vec![SecurityRequirement::new("adminBearer", Vec::<String>::new())];
    if !permission.human_only() {
        schemes.push(SecurityRequirement::new("adminApiKey", Vec::<String>::new()));
    }
    annotate(&mut r, permission.as_str(), schemes);
    let (schemas, paths, method_router) = limited(r, class);
    (schemas, paths, method_router.layer(from_fn(move |req, next| staff::guard(permission, req, next))))
}

/// An anonymous staff route (setup link, sign-in, invitation accept).
pub fn public_route(mut r: UtoipaMethodRouter<AppState>, class: RouteClass) -> UtoipaMethodRouter<AppState> {
    annotate(&mut r, PUBLIC, vec![SecurityRequirement::default()]);
    limited(r, class)
}

pub fn routes() -> OpenApiRouter<AppState> {
    use Permission as P;
    use RouteClass::{Auth, Read, Write};
    OpenApiRouter::new()
        .routes(public_route(routes!(auth::admin_complete_setup), Auth))
        .routes(public_route(routes!(auth::admin_login), Auth))
        .routes(staff_route(routes!(auth::admin_logout), P::SelfService, Write))
        .routes(staff_route(routes!(auth::admin_get_me), P::SelfService, Read))
        .routes(staff_route(routes!(auth::admin_list_roles), P::SelfService, Read))
        .routes(public_route(routes!(auth::admin_login_mfa), Auth))
        .routes(public_route(routes!(auth::admin_refresh_token), Auth))
        .routes(staff_route(routes!(auth::admin_setup_totp), P::SelfService, Auth))
        .routes(staff_route(routes!(auth::admin_enable_totp), P::SelfService, Auth))
        .routes(staff_route(routes!(auth::admin_disable_totp), P::SelfService, Auth))
        .routes(staff_route(routes!(auth::admin_regenerate_recovery_codes), P::SelfService, Auth))
        .routes(staff_route(routes!(auth::admin_change_password), P::SelfService, Auth))
        .routes(staff_route(routes!(auth::admin_update_me), P::SelfService, Write))
        .routes(staff_route(routes!(audit::admin_list_audit_events), P::AuditRead, Read))
        .routes(staff_route(routes!(config::admin_list_config), P::ConfigManage, Read))
        .routes(staff_route(routes!(config::admin_get_config), P::ConfigManage, Read))
        .routes(staff_route(routes!(config::admin_put_config), P::ConfigManage, Write))
        .routes(staff_route(routes!(admins::admin_list_admins), P::AdminsManage, Read))
        .routes(staff_route(routes!(admins::admin_get_admin), P::AdminsManage, Read))
        .routes(staff_route(routes!(admins::admin_update_admin), P::AdminsManage, Write))
        .routes(staff_route(routes!(admins::admin_delete_admin), P::AdminsManage, Write))
        .routes(staff_route(routes!(api_keys::admin_create_api_key), P::ApiKeysManage, Write))
        .routes(staff_route(routes!(api_keys::admin_list_api_keys), P::ApiKeysManage, Read))
        .routes(staff_route(routes!(api_keys::admin_revoke_api_key), P::ApiKeysManage, Write))
        .routes(staff_route(routes!(invitations::admin_create_invitation), P::InvitationsManage, Write))
        .routes(staff_route(routes!(invitations::admin_list_invitations), P::InvitationsManage, Read))
        .routes(staff_route(routes!(invitations::admin_revoke_invitation), P::InvitationsManage, Write))
        .routes(public_route(routes!(invitations::admin_accept_invitation), Auth))
        .routes(staff_route(routes!(customers::admin_list_customers), P::CustomersRead, Read))
        .routes(staff_route(routes!(customers::admin_get_customer), P::CustomersRead, Read))
        .routes(staff_route(routes!(customers::admin_ban_customer), P::CustomersBan, Write))
        .routes(staff_route(routes!(customers::admin_unban_customer), P::CustomersBan, Write))
        .routes(staff_route(routes!(customers::admin_reset_customer_mfa), P::CustomersMfaReset, Write))
        .routes(staff_route(routes!(customers::admin_revoke_customer_sessions), P::CustomersBan, Write))
        .routes(staff_route(routes!(stats::admin_get_dashboard_stats), P::CustomersRead, Read))
        .merge(commerce_routes())
        .merge(telecom_routes())
        .merge(market_routes())
        .merge(support_routes())
        .merge(webhook_routes())
}

/// Support tickets (issue 15). SupportBot reads and replies; the rest needs `tickets.manage`
/// (internal notes are checked in the handler, the route admits `tickets.reply`).
fn support_routes() -> OpenApiRouter<AppState> {
    use Permission as P;
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(staff_route(routes!(tickets::admin_list_tickets), P::TicketsRead, Read))
        .routes(staff_route(routes!(tickets::admin_get_ticket), P::TicketsRead, Read))
        .routes(staff_route(routes!(tickets::admin_reply_ticket), P::TicketsReply, Write))
        .routes(staff_route(routes!(tickets::admin_assign_ticket), P::TicketsManage, Write))
        .routes(staff_route(routes!(tickets::admin_set_ticket_status), P::TicketsManage, Write))
}

/// Groups, catalog, coupons, orders, gateways, wallets and gift cards (issue 13). Money
/// writes take `Idempotency-Key`; the guard runs before the idempotency layer.
fn commerce_routes() -> OpenApiRouter<AppState> {
    use Permission as P;
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(staff_route(routes!(groups::admin_list_groups), P::CatalogRead, Read))
        .routes(staff_route(routes!(groups::admin_create_group), P::CatalogWrite, Write))
        .routes(staff_route(routes!(groups::admin_update_group), P::CatalogWrite, Write))
        .routes(staff_route(routes!(groups::admin_delete_group), P::CatalogWrite, Write))
        .routes(staff_route(routes!(groups::admin_set_customer_groups), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_list_package_series), P::CatalogRead, Read))
        .routes(staff_route(routes!(catalog::admin_create_package_series), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_get_package_series), P::CatalogRead, Read))
        .routes(staff_route(routes!(catalog::admin_update_package_series), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_create_package_version), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_publish_package_version), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_list_products), P::CatalogRead, Read))
        .routes(staff_route(routes!(catalog::admin_create_product), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_get_product), P::CatalogRead, Read))
        .routes(staff_route(routes!(catalog::admin_update_product), P::CatalogWrite, Write))
        .routes(staff_route(routes!(catalog::admin_archive_product), P::CatalogWrite, Write))
        .routes(staff_route(routes!(coupons::admin_list_coupons), P::CouponsRead, Read))
        .routes(staff_route(routes!(coupons::admin_create_coupon), P::CouponsWrite, Write))
        .routes(staff_route(routes!(coupons::admin_get_coupon), P::CouponsRead, Read))
        .routes(staff_route(routes!(coupons::admin_update_coupon), P::CouponsWrite, Write))
        .routes(staff_route(routes!(coupons::admin_delete_coupon), P::CouponsWrite, Write))
        .routes(staff_route(routes!(orders::admin_list_orders), P::OrdersRead, Read))
        .routes(staff_route(routes!(orders::admin_get_order), P::OrdersRead, Read))
        .routes(staff_route(routes!(orders::admin_cancel_order), P::OrdersCancel, Write))
        .routes(staff_route(idempotent(routes!(orders::admin_mark_order_paid)), P::OrdersMarkPaid, Write))
        .routes(staff_route(idempotent(routes!(orders::admin_refund_order)), P::OrdersRefund, Write))
        .routes(staff_route(routes!(payment_methods::admin_list_payment_methods), P::ConfigManage, Read))
        .routes(staff_route(routes!(payment_methods::admin_create_payment_method), P::ConfigManage, Write))
        .routes(staff_route(routes!(payment_methods::admin_update_payment_method), P::ConfigManage, Write))
        .routes(staff_route(routes!(payment_methods::admin_disable_payment_method), P::ConfigManage, Write))
        .routes(staff_route(routes!(wallets::admin_get_wallet), P::CustomersRead, Read))
        .routes(staff_route(routes!(wallets::admin_list_wallet_ledger), P::CustomersRead, Read))
        .routes(staff_route(idempotent(routes!(wallets::admin_adjust_wallet)), P::WalletAdjust, Write))
        .routes(staff_route(idempotent(routes!(wallets::admin_create_gift_card_batch)), P::GiftCardsWrite, Write))
        .routes(staff_route(routes!(wallets::admin_list_gift_card_batches), P::GiftCardsRead, Read))
        .routes(staff_route(routes!(wallets::admin_export_gift_card_batch), P::GiftCardsExport, Write))
        .routes(staff_route(idempotent(routes!(wallets::admin_create_special_gift_card)), P::GiftCardsWrite, Write))
        .routes(staff_route(routes!(wallets::admin_list_gift_cards), P::GiftCardsRead, Read))
        .routes(staff_route(routes!(wallets::admin_lookup_gift_card), P::GiftCardsRead, Read))
        .routes(staff_route(routes!(wallets::admin_get_gift_card), P::GiftCardsRead, Read))
        .routes(staff_route(routes!(wallets::admin_update_gift_card), P::GiftCardsWrite, Write))
}

/// Node servers and clients, their health, packages and subscription tokens (issue 14).
fn telecom_routes() -> OpenApiRouter<AppState> {
    use Permission as P;
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(staff_route(routes!(nodes::admin_list_node_servers), P::NodesRead, Read))
        .routes(staff_route(routes!(nodes::admin_create_node_server), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_get_node_server), P::NodesRead, Read))
        .routes(staff_route(routes!(nodes::admin_update_node_server), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_delete_node_server), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_set_node_maintenance), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_list_node_clients), P::NodesRead, Read))
        .routes(staff_route(routes!(nodes::admin_create_node_client), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_get_node_client), P::NodesRead, Read))
        .routes(staff_route(routes!(nodes::admin_update_node_client), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_delete_node_client), P::NodesWrite, Write))
        .routes(staff_route(routes!(nodes::admin_list_node_status), P::NodesRead, Read))
        .routes(staff_route(routes!(packages::admin_list_packages), P::CustomersRead, Read))
        .routes(staff_route(routes!(packages::admin_cancel_package), P::PackagesCancel, Write))
        .routes(staff_route(routes!(packages::admin_rotate_customer_subscription), P::CustomersBan, Write))
}

/// Affiliate policies, commissions and announcements (issue 15).
fn market_routes() -> OpenApiRouter<AppState> {
    use Permission as P;
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(staff_route(routes!(affiliates::admin_get_affiliate_policy), P::AffiliateRead, Read))
        .routes(staff_route(routes!(affiliates::admin_put_affiliate_policy), P::AffiliateWrite, Write))
        .routes(staff_route(routes!(affiliates::admin_list_commissions), P::AffiliateWrite, Read))
        .routes(staff_route(routes!(announcements::admin_list_announcements), P::AnnouncementsRead, Read))
        .routes(staff_route(routes!(announcements::admin_create_announcement), P::AnnouncementsWrite, Write))
        .routes(staff_route(routes!(announcements::admin_get_announcement), P::AnnouncementsRead, Read))
        .routes(staff_route(routes!(announcements::admin_update_announcement), P::AnnouncementsWrite, Write))
        .routes(staff_route(routes!(announcements::admin_delete_announcement), P::AnnouncementsWrite, Write))
}

/// Outgoing webhook endpoints and deliveries (issue 15): SuperAdmin, human sessions only.
fn webhook_routes() -> OpenApiRouter<AppState> {
    use Permission::WebhooksManage as P;
    use RouteClass::{Read, Write};
    OpenApiRouter::new()
        .routes(staff_route(routes!(webhooks::admin_list_webhook_endpoints), P, Read))
        .routes(staff_route(routes!(webhooks::admin_create_webhook_endpoint), P, Write))
        .routes(staff_route(routes!(webhooks::admin_get_webhook_endpoint), P, Read))
        .routes(staff_route(routes!(webhooks::admin_update_webhook_endpoint), P, Write))
        .routes(staff_route(routes!(webhooks::admin_delete_webhook_endpoint), P, Write))
        .routes(staff_route(routes!(webhooks::admin_rotate_webhook_secret), P, Write))
        .routes(staff_route(routes!(webhooks::admin_send_test_webhook), P, Write))
        .routes(staff_route(routes!(webhooks::admin_list_webhook_deliveries), P, Read))
        .routes(staff_route(routes!(webhooks::admin_retry_webhook_delivery), P, Write))
}
