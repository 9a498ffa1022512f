//! Validated wallet inputs.

use chrono::{DateTime, Utc};

use super::model::AdjustmentKind;
use crate::error::{DomainError, FieldError};
use crate::shop::commands::amount;
use crate::text::Fields;

#[derive(Debug, Clone)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    pub amount: i64,
    pub reason: String,
}

impl Adjustment {
    pub fn new(kind: &str, amount_raw: i64, reason: &str) -> Result<Self, DomainError> {
        let reason = crate::auth::commands::reason(reason)?;
        let mut f = Fields::new();
        let kind = match kind {
            "deposit" => Some(AdjustmentKind::Deposit),
            "consume" => Some(AdjustmentKind::Consume),
            "freeze" => Some(AdjustmentKind::Freeze),
            "unfreeze" => Some(AdjustmentKind::Unfreeze),
            _ => {
                f.push(FieldError::new("kind", "invalid_enum", "deposit, consume, freeze or unfreeze"));
                None
            }
        };
        let amount = amount(&mut f, "amount", amount_raw, false);
        f.finish(Self { kind: kind.unwrap_or(AdjustmentKind::Deposit), amount, reason })
    }
}

/// A gift-card code as a customer types it: spaces and dashes are ignored, case too.
pub fn normalize_code(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// `redeemGiftCard`: 6–64 characters once normalised.
pub fn redeem_code(raw: &str) -> Result<String, DomainError> {
    let code = normalize_code(raw);
    if !(6..=64).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(DomainError::validation(vec![FieldError::new("code", "invalid_format", "a gift-card code")]));
    }
    Ok(code)
}

#[derive(Debug, Clone)]
pub struct NewBatch {
    pub name: String,
    pub count: i32,
    pub value: i64,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewBatch {
    pub fn new(
        name: &str,
        count: i32,
        value: i64,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = f.line("name", name, 1, 100);
        if !(1..=10_000).contains(&count) {
            f.push(FieldError::new("count", "out_of_range", "1 to 10000 codes"));
        }
        let value = amount(&mut f, "value", value, false);
        if expires_at.is_some_and(|e| e <= now) {
            f.push(FieldError::new("expires_at", "out_of_range", "in the future"));
        }
        f.finish(Self { name, count, value, expires_at })
    }
}

#[derive(Debug, Clone)]
pub struct NewSpecialCard {
    pub code: String,
    pub value: i64,
    pub max_redemptions: i32,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewSpecialCard {
    pub fn new(
        code: &str,
        value: i64,
        max_redemptions: i32,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let normalized = normalize_code(code);
        if !(6..=64).contains(&normalized.len()) || !normalized.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            f.push(FieldError::new(
                "code",
                "invalid_format",
                "6 to 64 letters, digits or '_' (dashes and spaces ignored)",
            ));
        }
        let value = amount(&mut f, "value", value, false);
        if !(1..=1_000_000).contains(&max_redemptions) {
            f.push(FieldError::new("max_redemptions", "out_of_range", "1 to 1000000"));
        }
        if expires_at.is_some_and(|e| e <= now) {
            f.push(FieldError::new("expires_at", "out_of_range", "in the future"));
        }
        f.finish(Self { code: normalized, value, max_redemptions, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalise_and_adjustments_check() {
        assert_eq!(normalize_code(" abcd-efgh ijkl "), "ABCDEFGHIJKL");
        assert!(redeem_code("ab").is_err());
        assert!(redeem_code("x\u{0}yyyyyy").is_err());
        assert_eq!(redeem_code("abcd-1234").ok().as_deref(), Some("ABCD1234"));
        assert!(Adjustment::new("steal", 5, "why").is_err());
        assert!(Adjustment::new("deposit", 0, "why").is_err());
        assert!(Adjustment::new("deposit", 5, " ").is_err());
        assert_eq!(Adjustment::new("freeze", 5, "hold").map(|a| a.kind).ok(), Some(AdjustmentKind::Freeze));
    }
}
