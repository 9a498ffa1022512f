//! `helium.v1.ShopService` and `helium.v1.WalletService`: the gRPC face of the customer shop
//! and wallet routes. Same commands, same services, same rate-limit classes as REST;
//! `idempotency-key` metadata where REST requires `Idempotency-Key`.

use helium_domain::ErrorCode;
use helium_domain::auth::CustomerPrincipal;
use helium_domain::shop::commands::NewOrder;
use helium_domain::shop::model as m;
use helium_domain::wallet::commands::redeem_code;
use helium_domain::wallet::model as w;
use helium_infra::shop::catalog::Viewer;
use helium_infra::shop::store::orders::OrderFilter;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use super::admin::{id, invalid, ts};
use super::{client, customer, err, limit, optional_customer, pb};
use crate::http::problem::ApiError;
use crate::http::rate_limit::RouteClass::{self, PublicRead, Read, Write};
use crate::rest::shop::dto::{order_status, wire};
use crate::state::AppState;

pub(crate) fn money(amount: i64, currency: &str) -> Option<pb::Money> {
    Some(pb::Money { amount, currency: currency.to_owned() })
}

fn body_id(raw: &str, field: &str) -> Result<Uuid, Status> {
    raw.trim().parse().map_err(|_| invalid(field, "invalid_format", "a UUID"))
}

/// The request key of a retried write: what REST's `Idempotency-Key` is (required here too).
pub(crate) fn request_key<T>(req: &Request<T>, me: &CustomerPrincipal, rpc: &str) -> Result<String, Status> {
    let key = req.metadata().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    if key.is_empty() {
        return Err(
            ApiError::new(ErrorCode::IdempotencyKeyMissing, "this call requires idempotency-key metadata").into()
        );
    }
    if key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyInvalid,
            "idempotency-key must be 1-255 visible ASCII characters",
        )
        .into());
    }
    Ok(format!("customer:{}\u{1f}grpc {rpc}\u{1f}{key}", me.user_id))
}

fn product(p: m::Product) -> pb::Product {
    pb::Product {
        id: p.id.to_string(),
        price: money(p.price, &p.currency),
        entitlements: p.current_version.map(|v| pb::Entitlements {
            traffic_bytes: v.terms.traffic_bytes,
            duration_days: v.terms.duration_days,
            speed_limit_mbps: v.terms.speed_limit_mbps,
            device_limit: v.terms.device_limit,
            traffic_reset: wire(&v.terms.traffic_reset),
            group_ids: v.terms.group_ids.iter().map(Uuid::to_string).collect(),
        }),
        name: p.name,
        description: p.description,
    }
}

fn payment(p: m::Payment) -> pb::Payment {
    pb::Payment {
        id: p.id.to_string(),
        via: wire(&p.via),
        status: wire(&p.status),
        amount: money(p.amount, &p.currency),
        created_at: ts(p.created_at),
        settled_at: p.settled_at.map(ts),
    }
}

fn order(o: m::Order, payments: Vec<m::Payment>) -> pb::Order {
    pb::Order {
        id: o.id.to_string(),
        subtotal: money(o.subtotal, &o.currency),
        discount: money(o.discount, &o.currency),
        total: money(o.total, &o.currency),
        refund_amount: o.refund_amount.and_then(|a| money(a, &o.currency)),
        trade_no: o.trade_no,
        kind: wire(&o.kind),
        status: o.status.as_str().to_owned(),
        product_id: o.product_id.map(|p| p.to_string()),
        product_name: o.product_name,
        paid_via: o.paid_via.as_ref().map(wire),
        created_at: ts(o.created_at),
        expires_at: ts(o.expires_at),
        paid_at: o.paid_at.map(ts),
        delivered_at: o.delivered_at.map(ts),
        cancelled_at: o.cancelled_at.map(ts),
        refunded_at: o.refunded_at.map(ts),
        payments: payments.into_iter().map(payment).collect(),
    }
}

fn renewal(r: helium_infra::shop::store::renewals::AutoRenewal) -> pb::AutoRenewal {
    pb::AutoRenewal {
        product_id: r.product_id.to_string(),
        enabled: r.enabled,
        last_order_id: r.last_order_id.map(|o| o.to_string()),
        updated_at: ts(r.updated_at),
    }
}

pub(crate) fn wallet(x: w::Wallet) -> pb::Wallet {
    pb::Wallet {
        available: money(x.available, &x.currency),
        frozen: money(x.frozen, &x.currency),
        updated_at: ts(x.updated_at),
    }
}

pub struct ShopGrpc {
    state: AppState,
}

impl ShopGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Anonymous callers see the public group (counted per address), customers their groups.
    async fn viewer<T>(&self, req: &Request<T>) -> Result<Viewer, Status> {
        match optional_customer(&self.state, req).await? {
            Some(me) => {
                super::limit_principal(&self.state, req, Read, &format!("customer:{}", me.user_id)).await?;
                Ok(Viewer::Customer(me.user_id))
            }
            None => {
                limit(&self.state, req, PublicRead).await?;
                Ok(Viewer::Anonymous)
            }
        }
    }

    async fn me<T>(&self, req: &Request<T>, class: RouteClass) -> Result<CustomerPrincipal, Status> {
        customer(&self.state, req, class).await
    }
}

#[tonic::async_trait]
impl pb::shop_service_server::ShopService for ShopGrpc {
    async fn list_products(&self, req: Request<pb::PageRequest>) -> Result<Response<pb::ProductPage>, Status> {
        let viewer = self.viewer(&req).await?;
        let r = req.into_inner();
        let page = self.state.shop.catalog.products_for(viewer, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::ProductPage {
            items: page.items.into_iter().map(product).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_product(&self, req: Request<pb::IdRequest>) -> Result<Response<pb::Product>, Status> {
        let viewer = self.viewer(&req).await?;
        let p = self.state.shop.catalog.product_for(viewer, id(&req.get_ref().id, "product")?).await.map_err(err)?;
        Ok(Response::new(product(p)))
    }

    async fn preview_coupon(
        &self,
        req: Request<pb::PreviewCouponRequest>,
    ) -> Result<Response<pb::CouponPreview>, Status> {
        let me = self.me(&req, Read).await?;
        let r = req.into_inner();
        let cmd = NewOrder::new(body_id(&r.product_id, "product_id")?, Some(&r.code)).map_err(err)?;
        let p = self.state.shop.coupons.preview(Viewer::Customer(me.user_id), &cmd).await.map_err(err)?;
        Ok(Response::new(pb::CouponPreview {
            code: p.code,
            subtotal: money(p.subtotal, &p.currency),
            discount: money(p.discount, &p.currency),
            total: money(p.total, &p.currency),
        }))
    }

    async fn list_payment_methods(
        &self,
        req: Request<pb::Empty>,
    ) -> Result<Response<pb::PaymentMethodOptions>, Status> {
        self.me(&req, Read).await?;
        let page = self.state.shop.methods.page(true, None, Some(100)).await.map_err(err)?;
        let items = page
            .items
            .into_iter()
            .map(|m| pb::PaymentMethodOption { id: m.id.to_string(), kind: m.kind, name: m.name, channel: m.channel })
            .collect();
        Ok(Response::new(pb::PaymentMethodOptions { items }))
    }

    async fn create_order(&self, req: Request<pb::CreateOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let me = self.me(&req, Write).await?;
        let key = request_key(&req, &me, "CreateOrder")?;
        let r = req.into_inner();
        let cmd = NewOrder::new(body_id(&r.product_id, "product_id")?, r.coupon_code.as_deref()).map_err(err)?;
        let o = self.state.shop.orders.create(me.user_id, &cmd, Some(&key)).await.map_err(err)?;
        Ok(Response::new(order(o, Vec::new())))
    }

    async fn list_orders(&self, req: Request<pb::ListOrdersRequest>) -> Result<Response<pb::OrderPage>, Status> {
        let me = self.me(&req, Read).await?;
        let r = req.into_inner();
        let status = order_status(r.status.as_deref()).map_err(err)?;
        let filter = OrderFilter { user_id: Some(me.user_id), status, ..Default::default() };
        let page = self.state.shop.orders.page(&filter, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::OrderPage {
            items: page.items.into_iter().map(|o| order(o, Vec::new())).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_order(&self, req: Request<pb::IdRequest>) -> Result<Response<pb::Order>, Status> {
        let me = self.me(&req, Read).await?;
        let (o, payments) =
            self.state.shop.orders.get(Some(me.user_id), id(&req.get_ref().id, "order")?).await.map_err(err)?;
        Ok(Response::new(order(o, payments)))
    }

    async fn cancel_order(&self, req: Request<pb::IdRequest>) -> Result<Response<pb::Order>, Status> {
        let me = self.me(&req, Write).await?;
        let o = self.state.shop.orders.cancel(me.user_id, id(&req.get_ref().id, "order")?).await.map_err(err)?;
        Ok(Response::new(order(o, Vec::new())))
    }

    async fn pay_order_with_wallet(&self, req: Request<pb::IdRequest>) -> Result<Response<pb::Order>, Status> {
        let me = self.me(&req, Write).await?;
        // The debit is guarded by the order's status: a retry finds it paid (409), never pays twice.
        request_key(&req, &me, "PayOrderWithWallet")?;
        let o = self.state.shop.checkout.pay_with_wallet(me.user_id, id(&req.get_ref().id, "order")?).await;
        Ok(Response::new(order(o.map_err(err)?, Vec::new())))
    }

    async fn start_gateway_payment(
        &self,
        req: Request<pb::StartGatewayPaymentRequest>,
    ) -> Result<Response<pb::GatewayRedirect>, Status> {
        let me = self.me(&req, Write).await?;
        request_key(&req, &me, "StartGatewayPayment")?;
        let r = req.into_inner();
        let method = body_id(&r.payment_method_id, "payment_method_id")?;
        let g = self.state.shop.checkout.start_gateway(me.user_id, id(&r.order_id, "order")?, method).await;
        let g = g.map_err(err)?;
        Ok(Response::new(pb::GatewayRedirect { payment_id: g.payment_id.to_string(), redirect_url: g.redirect_url }))
    }

    async fn list_auto_renewals(&self, req: Request<pb::Empty>) -> Result<Response<pb::AutoRenewalList>, Status> {
        let me = self.me(&req, Read).await?;
        let items = self.state.shop.renewals.list(me.user_id).await.map_err(err)?;
        Ok(Response::new(pb::AutoRenewalList { items: items.into_iter().map(renewal).collect() }))
    }

    async fn set_auto_renewal(
        &self,
        req: Request<pb::SetAutoRenewalRequest>,
    ) -> Result<Response<pb::AutoRenewal>, Status> {
        let me = self.me(&req, Write).await?;
        let r = req.into_inner();
        let set = self.state.shop.renewals.set(me.user_id, id(&r.product_id, "product")?, r.enabled).await;
        Ok(Response::new(renewal(set.map_err(err)?)))
    }
}

pub struct WalletGrpc {
    state: AppState,
}

impl WalletGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::wallet_service_server::WalletService for WalletGrpc {
    async fn get_wallet(&self, req: Request<pb::Empty>) -> Result<Response<pb::Wallet>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        Ok(Response::new(wallet(self.state.wallet.wallets.get(me.user_id).await.map_err(err)?)))
    }

    async fn list_wallet_ledger(&self, req: Request<pb::LedgerRequest>) -> Result<Response<pb::LedgerPage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let query = crate::rest::wallet::dto::LedgerQuery {
            kind: r.r#type,
            from: r.from,
            to: r.to,
            limit: r.limit,
            cursor: r.cursor,
        };
        let filter = query.filter().map_err(Status::from)?;
        let page = self.state.wallet.wallets.ledger(me.user_id, &filter, query.cursor.as_deref(), query.limit).await;
        let page = page.map_err(err)?;
        Ok(Response::new(pb::LedgerPage {
            items: page
                .items
                .into_iter()
                .map(|e| pb::LedgerEntry {
                    id: e.id,
                    r#type: e.kind.as_str().to_owned(),
                    amount: e.amount,
                    bucket: wire(&e.bucket),
                    reason: e.reason,
                    order_id: e.order_id.map(|o| o.to_string()),
                    created_at: ts(e.created_at),
                })
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn redeem_gift_card(
        &self,
        req: Request<pb::RedeemGiftCardRequest>,
    ) -> Result<Response<pb::GiftCardRedeemed>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let key = request_key(&req, &me, "RedeemGiftCard")?;
        let who = client(&req);
        let code = redeem_code(&req.get_ref().code).map_err(err)?;
        let r = self.state.wallet.gift_cards.redeem(me.user_id, &code, &who, Some(&key)).await.map_err(err)?;
        let credited = money(r.credited, &r.wallet.currency);
        Ok(Response::new(pb::GiftCardRedeemed { credited, wallet: Some(wallet(r.wallet)) }))
    }

    async fn create_top_up(&self, req: Request<pb::CreateTopUpRequest>) -> Result<Response<pb::Order>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let key = request_key(&req, &me, "CreateTopUp")?;
        let o = self.state.shop.top_ups.create(me.user_id, req.get_ref().amount, Some(&key)).await.map_err(err)?;
        Ok(Response::new(order(o, Vec::new())))
    }
}
