//! A referrer's side: stats, referees, commissions, withdrawing to the wallet.

use std::sync::Arc;

use helium_domain::market::model::{Commission, CommissionStatus, Referral, ReferralStats};
use helium_domain::market::rules::mask_email;
use helium_domain::wallet::model::{PostingKind, Wallet};
use helium_domain::wallet::rules::lines;
use helium_domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::codes::disabled;
use super::context::{MarketContext, policy_of};
use super::store::{accounts, commissions, referrals};
use crate::paging::{Page, decode_cursor, page_limit, page_of};
use crate::wallet::ledger::{Posting, post};
use crate::wallet::store::wallets;

#[derive(Clone)]
pub struct Earnings(pub(crate) Arc<MarketContext>);

/// What a withdrawal did.
#[derive(Debug, Clone)]
pub struct Withdrawn {
    pub amount: i64,
    pub wallet: Wallet,
}

impl Earnings {
    pub async fn stats(&self, user_id: Uuid) -> Result<ReferralStats, DomainError> {
        let cfg = self.0.affiliate_config().await?;
        let currency = crate::wallet::context::shop_config(&self.0.config).await?.currency;
        let mut c = self.0.db.conn().await?;
        let policy = policy_of(&mut c, &cfg, user_id).await?;
        let (referred, paying) = referrals::counts(&mut c, user_id).await?;
        let balance = accounts::get(&mut c, user_id).await?;
        Ok(ReferralStats { referred, paying, balance, policy, currency })
    }

    pub async fn referrals(
        &self,
        user_id: Uuid,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Referral>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("referrals|{user_id}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = referrals::page(&mut c, user_id, after, limit + 1).await?;
        let Page { items, next_cursor } = page_of(rows, limit, &scope, |r| (r.joined_at, r.referee_id));
        let items = items
            .into_iter()
            .map(|r| Referral {
                referee_id: r.referee_id,
                masked_email: mask_email(&r.email),
                joined_at: r.joined_at,
                rewarded_orders: r.rewarded_orders,
            })
            .collect();
        Ok(Page { items, next_cursor })
    }

    /// Commissions, newest first: a customer's own (`beneficiary`), or any for staff.
    pub async fn commissions(
        &self,
        filter: &commissions::Filter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Commission>, DomainError> {
        let limit = page_limit(limit)?;
        let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
        let scope = format!(
            "commissions|{}|{}|{}",
            id(filter.beneficiary_id),
            id(filter.referee_id),
            filter.status.map_or("", |s| match s {
                CommissionStatus::Pending => "pending",
                CommissionStatus::Available => "available",
                CommissionStatus::Reversed => "reversed",
            })
        );
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = commissions::page(&mut c, filter, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |m| (m.created_at, m.id)))
    }

    /// Moves `amount` of available commission into the wallet: the commission balance and the
    /// wallet ledger (`commission_withdrawal`) change in one transaction, by one conditional
    /// update, so concurrent withdrawals of the whole balance succeed once. A retried request
    /// (same `request_key`) answers with the first one's amount and the wallet now.
    pub async fn withdraw(
        &self,
        user_id: Uuid,
        amount: i64,
        request_key: Option<&str>,
    ) -> Result<Withdrawn, DomainError> {
        let cfg = self.0.affiliate_config().await?;
        let currency = crate::wallet::context::shop_config(&self.0.config).await?.currency;
        crate::transaction!(self.0.db, |tx| {
            if let Some(key) = request_key
                && let Some(done) = accounts::withdrawal_by_request(tx, user_id, key).await?
            {
                let wallet =
                    wallets::get(tx, user_id).await?.ok_or_else(|| DomainError::not_found("no such wallet"))?;
                return Ok(Withdrawn { amount: done, wallet });
            }
            if !policy_of(tx, &cfg, user_id).await?.enabled {
                return Err(disabled());
            }
            if accounts::take(tx, user_id, amount).await?.is_none() {
                return Err(DomainError::rejected(
                    ErrorCode::InsufficientCommission,
                    "more than the available commission",
                ));
            }
            let posted = post(
                tx,
                &Posting {
                    user_id,
                    kind: PostingKind::CommissionWithdrawal,
                    lines: &lines(PostingKind::CommissionWithdrawal, amount),
                    reason: Some("referral commission withdrawn"),
                    order_id: None,
                    actor: &format!("customer:{user_id}"),
                    request_key,
                    currency: &currency,
                },
            )
            .await?;
            accounts::insert_withdrawal(tx, Uuid::now_v7(), user_id, amount, posted.posting_id, request_key).await?;
            Ok(Withdrawn { amount, wallet: posted.wallet })
        })
    }
}
