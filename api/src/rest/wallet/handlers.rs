//! My wallet, its ledger, gift cards and top-ups (tag `wallet`).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use helium_domain::wallet::commands::redeem_code;

use super::dto::*;
use crate::http::customer::{Client, Customer};
use crate::http::idempotency::RequestKey;
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::rest::shop::dto::Money;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/wallet", operation_id = "getWallet", tag = "wallet",
    summary = "My wallet",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Available and frozen balances", body = Wallet))
)]
pub async fn get_wallet(State(state): State<AppState>, Customer(me): Customer) -> Result<Json<Wallet>, ApiError> {
    Ok(Json(state.wallet.wallets.get(me.user_id).await?.into()))
}

#[utoipa::path(
    get, path = "/api/v1/wallet/ledger", operation_id = "listWalletLedger", tag = "wallet",
    summary = "My balance history, newest first",
    security(("customerBearer" = [])),
    params(LedgerQuery),
    responses((status = 200, description = "One page of entries", body = LedgerPage))
)]
pub async fn list_wallet_ledger(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<LedgerPage>, ApiError> {
    let page = state.wallet.wallets.ledger(me.user_id, &q.filter()?, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(LedgerPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/gift-cards/redeem", operation_id = "redeemGiftCard", tag = "wallet",
    summary = "Redeem a gift card into my wallet",
    description = "Each card once per customer (a batch card once at all; a special code up to its limit). Wrong codes are limited per account and address. Requires `Idempotency-Key`.",
    security(("customerBearer" = [])),
    request_body = RedeemGiftCardRequest,
    responses(
        (status = 200, description = "Credited", body = GiftCardRedeemed),
        (status = 409, description = "gift_card_already_redeemed, gift_card_exhausted", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed; gift_card_not_found, gift_card_expired, gift_card_disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts (wrong codes), rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn redeem_gift_card(
    State(state): State<AppState>,
    Customer(me): Customer,
    Client(client): Client,
    RequestKey(key): RequestKey,
    JsonBody(req): JsonBody<RedeemGiftCardRequest>,
) -> Result<Json<GiftCardRedeemed>, ApiError> {
    let code = redeem_code(&req.code)?;
    let r = state.wallet.gift_cards.redeem(me.user_id, &code, &client, key.as_deref()).await?;
    let currency = r.wallet.currency.clone();
    Ok(Json(GiftCardRedeemed { credited: Money::new(r.credited, &currency), wallet: r.wallet.into() }))
}

#[utoipa::path(
    post, path = "/api/v1/wallet/top-ups", operation_id = "createTopUp", tag = "wallet",
    summary = "Top up my wallet",
    description = "Creates an unpaid top-up order for `amount` (within the shop's bounds); pay it with `startGatewayPayment`. The wallet is credited when the gateway confirms. Requires `Idempotency-Key`.",
    security(("customerBearer" = [])),
    request_body = CreateTopUpRequest,
    responses(
        (status = 201, description = "The top-up order", body = crate::rest::shop::dto::Order,
            headers(("Location" = String, description = "/api/v1/orders/{id}"))),
        (status = 409, description = "max_unpaid_orders_reached", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed; top_up_out_of_range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn create_top_up(
    State(state): State<AppState>,
    Customer(me): Customer,
    RequestKey(key): RequestKey,
    JsonBody(req): JsonBody<CreateTopUpRequest>,
) -> Result<Response, ApiError> {
    let order = state.shop.top_ups.create(me.user_id, req.amount, key.as_deref()).await?;
    Ok(crate::rest::shop::orders::created(order.into()))
}
