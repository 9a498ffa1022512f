//! Reading wallets and ledgers (customers: their own; staff: anyone's) and staff adjustments.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::wallet::commands::Adjustment;
use helium_domain::wallet::model::{LedgerEntry, PostingKind, Wallet};
use helium_domain::wallet::rules::adjustment_lines;
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::context::WalletContext;
use super::ledger::{Posting, post};
use super::store::{ledger, wallets};
use crate::audit;
use crate::paging::{Page, decode_seq_cursor, encode_seq_cursor, page_limit};

/// Filters of a ledger listing.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub kind: Option<PostingKind>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Clone)]
pub struct Wallets(pub(crate) Arc<WalletContext>);

/// A wallet that was never touched: zero in the shop currency.
fn empty(user_id: Uuid, currency: String) -> Wallet {
    Wallet { user_id, available: 0, frozen: 0, currency, updated_at: DateTime::UNIX_EPOCH }
}

impl Wallets {
    /// The customer's wallet (zero before the first movement).
    pub async fn get(&self, user_id: Uuid) -> Result<Wallet, DomainError> {
        let currency = self.0.shop_config().await?.currency;
        let mut c = self.0.db.conn().await?;
        Ok(wallets::get(&mut c, user_id).await?.unwrap_or_else(|| empty(user_id, currency)))
    }

    /// Staff: a customer's wallet; an unknown customer is 404.
    pub async fn get_for_staff(&self, user_id: Uuid) -> Result<Wallet, DomainError> {
        let currency = self.0.shop_config().await?.currency;
        let mut c = self.0.db.conn().await?;
        if let Some(w) = wallets::get(&mut c, user_id).await? {
            return Ok(w);
        }
        if !customer_exists(&mut c, user_id).await? {
            return Err(DomainError::not_found("no such customer"));
        }
        Ok(empty(user_id, currency))
    }

    /// The ledger of `user_id`, newest first.
    pub async fn ledger(
        &self,
        user_id: Uuid,
        filter: &LedgerFilter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<LedgerEntry>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!(
            "ledger|{user_id}|{}|{}|{}",
            filter.kind.map_or("", PostingKind::as_str),
            filter.from.map(|t| t.timestamp_micros()).unwrap_or_default(),
            filter.to.map(|t| t.timestamp_micros()).unwrap_or_default()
        );
        let after = cursor.map(|c| decode_seq_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let mut rows = ledger::page(&mut c, user_id, filter.kind, filter.from, filter.to, after, limit + 1).await?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|e| encode_seq_cursor(&scope, e.created_at, e.id))
        } else {
            None
        };
        Ok(Page { items: rows, next_cursor })
    }

    /// Staff: a customer's ledger; an unknown customer is 404.
    pub async fn ledger_for_staff(
        &self,
        user_id: Uuid,
        filter: &LedgerFilter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<LedgerEntry>, DomainError> {
        {
            let mut c = self.0.db.conn().await?;
            if !customer_exists(&mut c, user_id).await? {
                return Err(DomainError::not_found("no such customer"));
            }
        }
        self.ledger(user_id, filter, cursor, limit).await
    }

    /// A staff deposit, consumption, freeze or unfreeze, with its reason, audited. A retried
    /// request (same `request_key`) returns the first one's result without a second posting.
    /// Returns the customer's ledger entry (as `listWalletLedger` shows it) and the wallet.
    pub async fn adjust(
        &self,
        actor: &Actor,
        user_id: Uuid,
        cmd: &Adjustment,
        request_key: Option<&str>,
    ) -> Result<(i64, Wallet), DomainError> {
        let ctx = &self.0;
        let currency = ctx.shop_config().await?.currency;
        let (kind, lines) = adjustment_lines(cmd.kind, cmd.amount);
        let actor_ref = actor_ref(actor);
        crate::transaction!(ctx.db, |tx| {
            if let Some(key) = request_key
                && let Some(posting_id) = ledger::posting_by_request(tx, key).await?
            {
                let wallet =
                    wallets::get(tx, user_id).await?.ok_or_else(|| DomainError::not_found("no such wallet"))?;
                return Ok((entry_of(tx, posting_id, user_id).await?, wallet));
            }
            if !customer_exists(tx, user_id).await? {
                return Err(DomainError::not_found("no such customer"));
            }
            let posted = post(
                tx,
                &Posting {
                    user_id,
                    kind,
                    lines: &lines,
                    reason: Some(&cmd.reason),
                    order_id: None,
                    actor: &actor_ref,
                    request_key,
                    currency: &currency,
                },
            )
            .await?;
            let change = Change::new(AuditAction::WalletAdjust, "wallet", user_id)
                .after(json!({
                    "kind": cmd.kind, "amount": cmd.amount, "posting_id": posted.posting_id,
                    "available": posted.wallet.available, "frozen": posted.wallet.frozen,
                }))
                .reason(&cmd.reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok((entry_of(tx, posted.posting_id, user_id).await?, posted.wallet))
        })
    }
}

async fn entry_of(c: &mut sqlx::PgConnection, posting_id: Uuid, user_id: Uuid) -> Result<i64, DomainError> {
    ledger::customer_entry(c, posting_id, user_id)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("posting {posting_id} has no entry for its customer")))
}

async fn customer_exists(c: &mut sqlx::PgConnection, user_id: Uuid) -> Result<bool, DomainError> {
    Ok(crate::auth::store::users::by_id(c, user_id).await?.is_some())
}

/// How a posting names the actor of a staff action.
pub fn actor_ref(actor: &Actor) -> String {
    match actor.id {
        Some(id) => format!("{}:{id}", actor.kind.as_str()),
        None => actor.kind.as_str().to_owned(),
    }
}

/// The error a missing wallet maps to for a debit.
pub fn insufficient() -> DomainError {
    DomainError::rejected(ErrorCode::InsufficientFunds, "the wallet does not hold enough for this")
}
