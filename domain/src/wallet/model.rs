//! Wallet types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    pub user_id: Uuid,
    /// Minor units, spendable.
    pub available: i64,
    /// Minor units, held by staff or a pending withdrawal.
    pub frozen: i64,
    pub currency: String,
    pub updated_at: DateTime<Utc>,
}

/// What a posting was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum PostingKind {
    GiftCard,
    OrderPayment,
    Refund,
    Adjustment,
    Freeze,
    Unfreeze,
    CommissionWithdrawal,
    TopUp,
    /// A gateway paid an order that was no longer payable: the money goes to the wallet.
    Overpayment,
    /// A refund took back a referral commission that had already been withdrawn.
    CommissionReversal,
}

impl PostingKind {
    pub const ALL: [PostingKind; 10] = [
        PostingKind::GiftCard,
        PostingKind::OrderPayment,
        PostingKind::Refund,
        PostingKind::Adjustment,
        PostingKind::Freeze,
        PostingKind::Unfreeze,
        PostingKind::CommissionWithdrawal,
        PostingKind::TopUp,
        PostingKind::Overpayment,
        PostingKind::CommissionReversal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PostingKind::GiftCard => "gift_card",
            PostingKind::OrderPayment => "order_payment",
            PostingKind::Refund => "refund",
            PostingKind::Adjustment => "adjustment",
            PostingKind::Freeze => "freeze",
            PostingKind::Unfreeze => "unfreeze",
            PostingKind::CommissionWithdrawal => "commission_withdrawal",
            PostingKind::CommissionReversal => "commission_reversal",
            PostingKind::TopUp => "top_up",
            PostingKind::Overpayment => "overpayment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// An account of the ledger: a customer's two buckets, or a system account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Account {
    Available,
    Frozen,
    /// Money that arrived through a payment gateway.
    Gateway,
    /// What customers paid for orders.
    Revenue,
    /// The value of gift cards issued.
    GiftCards,
    /// Staff deposits and withdrawals.
    Adjustments,
    /// Referral commissions paid out.
    Commissions,
}

impl Account {
    /// Whether the account is a customer's (then the entry names the customer).
    pub fn is_customer(self) -> bool {
        matches!(self, Account::Available | Account::Frozen)
    }
}

/// One line of a customer's ledger as they and staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub posting_id: Uuid,
    pub kind: PostingKind,
    /// `available` or `frozen`.
    pub bucket: Account,
    /// Signed minor units: credit > 0, debit < 0.
    pub amount: i64,
    pub reason: Option<String>,
    pub order_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// What a staff adjustment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// Adds to `available`.
    Deposit,
    /// Takes from `available`.
    Consume,
    /// Moves from `available` to `frozen`.
    Freeze,
    /// Moves from `frozen` to `available`.
    Unfreeze,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum GiftCardKind {
    Batch,
    Special,
}

/// A gift card as staff see it: the code itself only as its last characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftCard {
    pub id: Uuid,
    pub batch_id: Option<Uuid>,
    pub kind: GiftCardKind,
    pub code_hint: String,
    pub value: i64,
    pub currency: String,
    pub max_redemptions: i32,
    pub redemptions: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftCardBatch {
    pub id: Uuid,
    pub name: String,
    pub count: i32,
    pub value: i64,
    pub currency: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub exported_at: Option<DateTime<Utc>>,
}

/// One redemption of a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub user_id: Uuid,
    pub posting_id: Uuid,
    pub created_at: DateTime<Utc>,
}

crate::pg_text!(PostingKind, Account, GiftCardKind);
