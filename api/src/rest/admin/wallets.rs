//! Customer wallets and gift cards for staff (tag `wallet`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use helium_domain::wallet::commands::{Adjustment, NewBatch, NewSpecialCard};
use helium_domain::wallet::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::idempotency::RequestKey;
use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::{Money, PageQuery, wire};
use crate::rest::wallet::dto::{LedgerPage, LedgerQuery, Wallet};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

#[utoipa::path(
    get, path = "/api/v1/admin/wallets/{user_id}", operation_id = "adminGetWallet", tag = "wallet",
    summary = "A customer's wallet",
    params(("user_id" = Uuid, Path, description = "Customer id")),
    responses((status = 200, description = "Balances", body = Wallet))
)]
pub async fn admin_get_wallet(
    State(state): State<AppState>,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Wallet>, ApiError> {
    Ok(Json(state.wallet.wallets.get_for_staff(user_id).await?.into()))
}

#[utoipa::path(
    get, path = "/api/v1/admin/wallets/{user_id}/ledger", operation_id = "adminListWalletLedger", tag = "wallet",
    summary = "A customer's balance history, newest first",
    params(("user_id" = Uuid, Path, description = "Customer id"), LedgerQuery),
    responses((status = 200, description = "One page", body = LedgerPage))
)]
pub async fn admin_list_wallet_ledger(
    State(state): State<AppState>,
    Path(user_id): Path<Uuid>,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<LedgerPage>, ApiError> {
    let page = state.wallet.wallets.ledger_for_staff(user_id, &q.filter()?, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(LedgerPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletAdjustmentRequest {
    /// `deposit`, `consume`, `freeze` or `unfreeze`.
    pub kind: String,
    /// Minor units, positive.
    pub amount: i64,
    /// Shown in the customer's ledger and the audit log.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WalletAdjusted {
    /// The entry in the customer's ledger (`listWalletLedger` / `adminListWalletLedger` `id`).
    pub ledger_entry_id: i64,
    pub wallet: Wallet,
}

#[utoipa::path(
    post, path = "/api/v1/admin/wallets/{user_id}/adjustments", operation_id = "adminAdjustWallet", tag = "wallet",
    summary = "Deposit, consume, freeze or unfreeze with a reason",
    description = "A balance never goes below zero. Requires `Idempotency-Key`.",
    params(("user_id" = Uuid, Path, description = "Customer id")),
    request_body = WalletAdjustmentRequest,
    responses(
        (status = 201, description = "Posted", body = WalletAdjusted),
        (status = 409, description = "insufficient_funds, insufficient_frozen_funds", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_adjust_wallet(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    RequestKey(key): RequestKey,
    Path(user_id): Path<Uuid>,
    JsonBody(req): JsonBody<WalletAdjustmentRequest>,
) -> Result<(StatusCode, Json<WalletAdjusted>), ApiError> {
    let cmd = Adjustment::new(&req.kind, req.amount, &req.reason)?;
    let (posting, wallet) = state.wallet.wallets.adjust(&actor, user_id, &cmd, key.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(WalletAdjusted { ledger_entry_id: posting, wallet: wallet.into() })))
}

/// A gift card as staff see it: the code only as its last characters.
#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCard {
    pub id: Uuid,
    pub batch_id: Option<Uuid>,
    /// `batch` (one redemption) or `special` (a shared code).
    pub kind: String,
    /// The code's last characters, e.g. `…7K2Q`.
    pub code_hint: String,
    pub value: Money,
    pub max_redemptions: i32,
    pub redemptions: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<m::GiftCard> for GiftCard {
    fn from(g: m::GiftCard) -> Self {
        Self {
            id: g.id,
            batch_id: g.batch_id,
            kind: wire(&g.kind),
            code_hint: g.code_hint,
            value: Money::new(g.value, &g.currency),
            max_redemptions: g.max_redemptions,
            redemptions: g.redemptions,
            expires_at: g.expires_at,
            disabled: g.disabled,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCardRedemption {
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCardDetail {
    #[serde(flatten)]
    pub card: GiftCard,
    pub redemption_list: Vec<GiftCardRedemption>,
}

impl GiftCardDetail {
    fn of((card, redemptions): (m::GiftCard, Vec<m::Redemption>)) -> Self {
        Self {
            card: card.into(),
            redemption_list: redemptions
                .into_iter()
                .map(|r| GiftCardRedemption { user_id: r.user_id, created_at: r.created_at })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCardPage {
    pub items: Vec<GiftCard>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCardBatch {
    pub id: Uuid,
    pub name: String,
    pub count: i32,
    pub value: Money,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// When its codes were last exported.
    pub exported_at: Option<DateTime<Utc>>,
}

impl From<m::GiftCardBatch> for GiftCardBatch {
    fn from(b: m::GiftCardBatch) -> Self {
        Self {
            id: b.id,
            value: Money::new(b.value, &b.currency),
            name: b.name,
            count: b.count,
            expires_at: b.expires_at,
            created_by: b.created_by,
            created_at: b.created_at,
            exported_at: b.exported_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCardBatchPage {
    pub items: Vec<GiftCardBatch>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardBatchRequest {
    pub name: String,
    /// 1 to 10000 codes.
    pub count: i32,
    /// Minor units each card credits.
    pub value: i64,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecialGiftCardRequest {
    /// 6–64 letters, digits or `_` (dashes and spaces ignored, any case).
    pub code: String,
    pub value: i64,
    /// How many customers may redeem it (each once).
    pub max_redemptions: i32,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GiftCardQuery {
    #[param(value_type = Option<Uuid>)]
    pub batch_id: Option<String>,
    /// `active`, `redeemed`, `expired` or `disabled`.
    pub status: Option<String>,
    /// A customer who redeemed it.
    #[param(value_type = Option<Uuid>)]
    pub redeemed_by: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardLookupRequest {
    /// The code as printed.
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftCardUpdateRequest {
    pub disabled: Option<bool>,
    /// null = never expires.
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

#[utoipa::path(
    post, path = "/api/v1/admin/gift-cards/batches", operation_id = "adminCreateGiftCardBatch", tag = "wallet",
    summary = "Issue a batch of single-use gift cards",
    description = "The codes are shown only by `adminExportGiftCardBatch`. Requires `Idempotency-Key`.",
    request_body = GiftCardBatchRequest,
    responses((status = 201, description = "Issued", body = GiftCardBatch))
)]
pub async fn admin_create_gift_card_batch(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<GiftCardBatchRequest>,
) -> Result<(StatusCode, Json<GiftCardBatch>), ApiError> {
    let cmd = NewBatch::new(&req.name, req.count, req.value, req.expires_at, Utc::now())?;
    Ok((StatusCode::CREATED, Json(state.wallet.gift_cards.create_batch(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/gift-cards/batches", operation_id = "adminListGiftCardBatches", tag = "wallet",
    summary = "Gift-card batches, newest first",
    params(PageQuery),
    responses((status = 200, description = "One page", body = GiftCardBatchPage))
)]
pub async fn admin_list_gift_card_batches(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<GiftCardBatchPage>, ApiError> {
    let page = state.wallet.gift_cards.batches(q.cursor.as_deref(), q.limit).await?;
    Ok(Json(GiftCardBatchPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/gift-cards/batches/{id}/export", operation_id = "adminExportGiftCardBatch", tag = "wallet",
    summary = "The batch's codes as CSV (audited)",
    params(("id" = Uuid, Path, description = "Batch id")),
    responses(
        (status = 200, description = "`code,value,currency,expires_at` rows", body = String, content_type = "text/csv"),
        (status = 409, description = "invalid_state (a batch is exported once)", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_export_gift_card_batch(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let csv = state.wallet.gift_cards.export(&actor, id).await?;
    let disposition = format!("attachment; filename=\"gift-cards-{id}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}

#[utoipa::path(
    post, path = "/api/v1/admin/gift-cards/special", operation_id = "adminCreateSpecialGiftCard", tag = "wallet",
    summary = "Create a shared code many customers may redeem once each",
    description = "Requires `Idempotency-Key`.",
    request_body = SpecialGiftCardRequest,
    responses(
        (status = 201, description = "Created", body = GiftCard),
        (status = 409, description = "gift_card_code_taken", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_create_special_gift_card(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<SpecialGiftCardRequest>,
) -> Result<(StatusCode, Json<GiftCard>), ApiError> {
    let cmd = NewSpecialCard::new(&req.code, req.value, req.max_redemptions, req.expires_at, Utc::now())?;
    Ok((StatusCode::CREATED, Json(state.wallet.gift_cards.create_special(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/gift-cards", operation_id = "adminListGiftCards", tag = "wallet",
    summary = "Gift cards (codes masked), newest first",
    params(GiftCardQuery),
    responses((status = 200, description = "One page", body = GiftCardPage))
)]
pub async fn admin_list_gift_cards(
    State(state): State<AppState>,
    Query(q): Query<GiftCardQuery>,
) -> Result<Json<GiftCardPage>, ApiError> {
    let batch_id = params::uuid("batch_id", q.batch_id)?;
    let redeemed_by = params::uuid("redeemed_by", q.redeemed_by)?;
    let status = params::present(q.status);
    let page =
        state.wallet.gift_cards.page(batch_id, status.as_deref(), redeemed_by, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(GiftCardPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/gift-cards/lookup", operation_id = "adminLookupGiftCard", tag = "wallet",
    summary = "Find the card a code belongs to (the code stays out of URLs and logs)",
    request_body = GiftCardLookupRequest,
    responses(
        (status = 200, description = "The card and who redeemed it", body = GiftCardDetail),
        (status = 404, description = "not_found (no card has this code)", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_lookup_gift_card(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<GiftCardLookupRequest>,
) -> Result<Json<GiftCardDetail>, ApiError> {
    Ok(Json(GiftCardDetail::of(state.wallet.gift_cards.lookup(&req.code).await?)))
}

#[utoipa::path(
    get, path = "/api/v1/admin/gift-cards/{id}", operation_id = "adminGetGiftCard", tag = "wallet",
    summary = "One gift card and who redeemed it",
    params(("id" = Uuid, Path, description = "Gift card id")),
    responses((status = 200, description = "The card", body = GiftCardDetail))
)]
pub async fn admin_get_gift_card(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<GiftCardDetail>, ApiError> {
    Ok(Json(GiftCardDetail::of(state.wallet.gift_cards.get(id).await?)))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/gift-cards/{id}", operation_id = "adminUpdateGiftCard", tag = "wallet",
    summary = "Disable, re-enable or change the expiry of a card",
    params(("id" = Uuid, Path, description = "Gift card id")),
    request_body = GiftCardUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = GiftCard),
        (status = 409, description = "gift_card_already_redeemed", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_update_gift_card(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<GiftCardUpdateRequest>,
) -> Result<Json<GiftCard>, ApiError> {
    Ok(Json(state.wallet.gift_cards.update(&actor, id, req.disabled, req.expires_at).await?.into()))
}
