//! Market types.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteCode {
    pub id: Uuid,
    pub user_id: Uuid,
    pub code: String,
    /// Customers who registered with it.
    pub signups: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum CommissionStatus {
    /// Within the holding period: a refund still reverses it.
    Pending,
    /// Can be withdrawn to the wallet.
    Available,
    /// The order was refunded.
    Reversed,
}

impl CommissionStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "available" => Some(Self::Available),
            "reversed" => Some(Self::Reversed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commission {
    pub id: Uuid,
    pub beneficiary_id: Uuid,
    pub referee_id: Uuid,
    pub order_id: Uuid,
    pub order_amount: i64,
    pub rate: Decimal,
    pub amount: i64,
    pub currency: String,
    pub status: CommissionStatus,
    pub available_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub reversed_at: Option<DateTime<Utc>>,
}

/// A customer's commission balance (minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Balance {
    pub pending: i64,
    pub available: i64,
    pub withdrawn: i64,
    /// Reversed after withdrawal and not covered by the wallet: paid first from later commissions.
    pub owed: i64,
}

/// Staff overrides for one customer; `None` = the config default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyOverride {
    pub enabled: bool,
    pub reward_rate: Option<Decimal>,
    pub trigger_limit: Option<i32>,
    pub max_invite_codes: Option<i32>,
}

/// What applies to a customer: overrides over defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePolicy {
    pub enabled: bool,
    pub reward_rate: Decimal,
    pub trigger_limit: i32,
    pub max_invite_codes: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralStats {
    pub referred: i64,
    /// Referees with at least one commission that was not reversed.
    pub paying: i64,
    pub balance: Balance,
    pub policy: EffectivePolicy,
    /// The shop currency the balance is in.
    pub currency: String,
}

/// One customer someone referred, as the referrer sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub referee_id: Uuid,
    pub masked_email: String,
    pub joined_at: DateTime<Utc>,
    pub rewarded_orders: i64,
}

/// Staff view of a customer's affiliate standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffiliatePolicy {
    pub user_id: Uuid,
    pub overrides: PolicyOverride,
    pub effective: EffectivePolicy,
    pub referrer_id: Option<Uuid>,
}

crate::pg_text!(CommissionStatus);
