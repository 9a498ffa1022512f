//! The one way money moves: [`post`] writes a balanced posting, its entries and the cached
//! balance in the caller's transaction, refusing anything that would take a bucket below zero.

use helium_domain::wallet::model::{PostingKind, Wallet};
use helium_domain::wallet::rules::{Line, balanced, wallet_delta};
use helium_domain::{DomainError, ErrorCode};
use sqlx::PgConnection;
use uuid::Uuid;

use super::store::{ledger, wallets};

/// One posting on a customer's wallet.
#[derive(Debug, Clone)]
pub struct Posting<'a> {
    pub user_id: Uuid,
    pub kind: PostingKind,
    pub lines: &'a [Line],
    pub reason: Option<&'a str>,
    pub order_id: Option<Uuid>,
    /// `customer:<id>`, `admin:<id>`, `api_key:<id>`, `gateway`, `system`.
    pub actor: &'a str,
    /// The request that made it (principal, route, Idempotency-Key), when one did.
    pub request_key: Option<&'a str>,
    /// The wallet's currency if it must be created (credits to a new wallet).
    pub currency: &'a str,
}

/// The posting's id and the wallet after it.
#[derive(Debug, Clone)]
pub struct Posted {
    pub posting_id: Uuid,
    pub wallet: Wallet,
}

/// Writes `p` in the caller's transaction. A debit larger than the bucket is refused with
/// 409 `insufficient_funds` / `insufficient_frozen_funds` and changes nothing.
pub async fn post(c: &mut PgConnection, p: &Posting<'_>) -> Result<Posted, DomainError> {
    if !balanced(p.lines) {
        return Err(DomainError::Internal(format!("unbalanced {:?} posting", p.kind)));
    }
    let delta = wallet_delta(p.lines);
    let row = ledger::PostingRow {
        id: Uuid::now_v7(),
        kind: p.kind,
        reason: p.reason,
        order_id: p.order_id,
        actor: p.actor,
        request_key: p.request_key,
    };
    let mut wallet = ledger::apply_and_insert(c, &row, p.user_id, p.lines, delta).await?;
    let (available, frozen) = delta;
    if wallet.is_none() && available >= 0 && frozen >= 0 {
        wallets::ensure(c, p.user_id, p.currency).await?;
        wallet = ledger::apply_and_insert(c, &row, p.user_id, p.lines, delta).await?;
    }
    let Some(wallet) = wallet else {
        let code = if available < 0 { ErrorCode::InsufficientFunds } else { ErrorCode::InsufficientFrozenFunds };
        return Err(DomainError::rejected(code, "the wallet does not hold enough for this"));
    };
    let posting_id = row.id;
    Ok(Posted { posting_id, wallet })
}
