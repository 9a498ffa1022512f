//! Market request and response bodies.

use chrono::{DateTime, Utc};
use helium_domain::market::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::rest::shop::dto::{Money, wire};
use crate::rest::wallet::dto::Wallet;

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteCode {
    pub id: Uuid,
    /// Share it: new customers enter it as `referral_code` when they register.
    pub code: String,
    /// Customers who registered with it.
    pub signups: i64,
    pub created_at: DateTime<Utc>,
}

impl From<m::InviteCode> for InviteCode {
    fn from(k: m::InviteCode) -> Self {
        Self { id: k.id, code: k.code, signups: k.signups, created_at: k.created_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteCodePage {
    pub items: Vec<InviteCode>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralStats {
    /// Customers who registered with one of my codes.
    pub referred: i64,
    /// Of those, customers whose purchases earned me a commission.
    pub paying: i64,
    /// Within the holding period (a refund still reverses it).
    pub pending: Money,
    /// Can be withdrawn to my wallet.
    pub available: Money,
    /// Withdrawn to my wallet so far.
    pub withdrawn: Money,
    /// My commission rate, a decimal such as `"0.1"` (10 %).
    pub reward_rate: String,
    /// How many of a referee's orders earn a commission.
    pub trigger_limit: i32,
    /// How many invite codes I may hold.
    pub codes_max: i32,
    /// Whether referrals are on for me.
    pub enabled: bool,
}

impl From<m::ReferralStats> for ReferralStats {
    fn from(s: m::ReferralStats) -> Self {
        let c = &s.currency;
        Self {
            referred: s.referred,
            paying: s.paying,
            pending: Money::new(s.balance.pending, c),
            available: Money::new(s.balance.available, c),
            withdrawn: Money::new(s.balance.withdrawn, c),
            reward_rate: s.policy.reward_rate.normalize().to_string(),
            trigger_limit: s.policy.trigger_limit,
            codes_max: s.policy.max_invite_codes,
            enabled: s.policy.enabled,
        }
    }
}

/// Someone I referred. The address is masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Referral {
    pub masked_email: String,
    pub joined_at: DateTime<Utc>,
    /// Their orders that earned me a commission (not reversed).
    pub rewarded_orders: i64,
}

impl From<m::Referral> for Referral {
    fn from(r: m::Referral) -> Self {
        Self { masked_email: r.masked_email, joined_at: r.joined_at, rewarded_orders: r.rewarded_orders }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralPage {
    pub items: Vec<Referral>,
    pub next_cursor: Option<String>,
}

/// One commission on a referee's paid order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Commission {
    pub id: Uuid,
    pub amount: Money,
    /// `pending`, `available` or `reversed`.
    pub status: String,
    /// When it stops being pending.
    pub available_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<m::Commission> for Commission {
    fn from(c: m::Commission) -> Self {
        Self {
            id: c.id,
            amount: Money::new(c.amount, &c.currency),
            status: wire(&c.status),
            available_at: c.available_at,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommissionPage {
    pub items: Vec<Commission>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommissionQuery {
    /// `pending`, `available` or `reversed`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawCommissionRequest {
    /// Minor units, at most the available commission.
    pub amount: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommissionWithdrawn {
    pub withdrawn: Money,
    /// My wallet after the withdrawal.
    pub wallet: Wallet,
}
