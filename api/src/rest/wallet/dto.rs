//! Wallet request and response bodies.

use chrono::{DateTime, Utc};
use helium_domain::wallet::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::rest::shop::dto::{Money, wire};

#[derive(Debug, Serialize, ToSchema)]
pub struct Wallet {
    /// Spendable.
    pub available: Money,
    /// Held (staff freeze, pending withdrawal).
    pub frozen: Money,
    pub updated_at: DateTime<Utc>,
}

impl From<m::Wallet> for Wallet {
    fn from(w: m::Wallet) -> Self {
        Self {
            available: Money::new(w.available, &w.currency),
            frozen: Money::new(w.frozen, &w.currency),
            updated_at: w.updated_at,
        }
    }
}

/// One movement of my balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntry {
    pub id: i64,
    /// `gift_card`, `order_payment`, `refund`, `adjustment`, `freeze`, `unfreeze`,
    /// `commission_withdrawal`, `top_up`, `overpayment` or `commission_reversal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Signed minor units: a credit is positive, a debit negative.
    pub amount: i64,
    /// `available` or `frozen`.
    pub bucket: String,
    pub reason: Option<String>,
    pub order_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<m::LedgerEntry> for LedgerEntry {
    fn from(e: m::LedgerEntry) -> Self {
        Self {
            id: e.id,
            kind: e.kind.as_str().to_owned(),
            amount: e.amount,
            bucket: wire(&e.bucket),
            reason: e.reason,
            order_id: e.order_id,
            created_at: e.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    pub items: Vec<LedgerEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// One entry type (see `LedgerEntry.type`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// RFC 3339: entries at or after.
    pub from: Option<String>,
    /// RFC 3339: entries before.
    pub to: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl LedgerQuery {
    pub fn filter(&self) -> Result<helium_infra::wallet::wallets::LedgerFilter, crate::http::problem::ApiError> {
        use crate::http::params;
        let kind = params::present(self.kind.clone())
            .map(|k| {
                m::PostingKind::parse(&k)
                    .ok_or_else(|| helium_domain::DomainError::field("type", "invalid_enum", "a ledger entry type"))
            })
            .transpose()?;
        Ok(helium_infra::wallet::wallets::LedgerFilter {
            kind,
            from: params::instant("from", self.from.clone())?,
            to: params::instant("to", self.to.clone())?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemGiftCardRequest {
    /// The code as printed (dashes and spaces are ignored). Never put it in a URL.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftCardRedeemed {
    pub credited: Money,
    pub wallet: Wallet,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTopUpRequest {
    /// Minor units, within the shop's top-up bounds.
    pub amount: i64,
}
