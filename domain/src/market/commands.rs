//! Validated market inputs.

use rust_decimal::Decimal;

use super::model::{CommissionStatus, PolicyOverride};
use crate::error::{DomainError, FieldError};
use crate::shop::commands::amount;
use crate::text::Fields;

/// `withdrawCommission`: a positive amount in minor units.
pub fn withdraw_amount(raw: i64) -> Result<i64, DomainError> {
    let mut f = Fields::new();
    let v = amount(&mut f, "amount", raw, false);
    f.finish(v)
}

/// `?status=` of commission lists.
pub fn status_filter(raw: Option<&str>) -> Result<Option<CommissionStatus>, DomainError> {
    match raw {
        None => Ok(None),
        Some(s) => CommissionStatus::parse(s)
            .map(Some)
            .ok_or_else(|| DomainError::field("status", "invalid_enum", "pending, available or reversed")),
    }
}

/// `adminPutAffiliatePolicy`: `null` fields fall back to the config defaults.
pub fn policy(
    enabled: bool,
    reward_rate: Option<&str>,
    trigger_limit: Option<i64>,
    max_invite_codes: Option<i64>,
) -> Result<PolicyOverride, DomainError> {
    let mut f = Fields::new();
    let rate = reward_rate.and_then(|r| match r.parse::<Decimal>() {
        Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE && d.scale() <= 4 => Some(d),
        _ => {
            f.push(FieldError::new("reward_rate", "out_of_range", "a decimal from 0 to 1 with at most 4 places"));
            None
        }
    });
    let mut small = |field: &str, v: Option<i64>| {
        v.and_then(|v| match i32::try_from(v) {
            Ok(v) if (0..=1000).contains(&v) => Some(v),
            _ => {
                f.push(FieldError::new(field, "out_of_range", "0 to 1000"));
                None
            }
        })
    };
    let trigger_limit = small("trigger_limit", trigger_limit);
    let max_invite_codes = small("max_invite_codes", max_invite_codes);
    f.finish(PolicyOverride { enabled, reward_rate: rate, trigger_limit, max_invite_codes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_bounds() {
        assert!(policy(true, Some("0.25"), Some(5), None).is_ok());
        assert!(policy(true, Some("1.5"), None, None).is_err());
        assert!(policy(true, Some("-0.1"), None, None).is_err());
        assert!(policy(true, Some("0.12345"), None, None).is_err());
        assert!(policy(true, Some("abc"), None, None).is_err());
        assert!(policy(true, None, Some(-1), None).is_err());
        assert!(policy(true, None, None, Some(1_000_000_000_000)).is_err());
        assert_eq!(policy(false, None, None, None).unwrap(), PolicyOverride::default());
    }

    #[test]
    fn withdraw_amount_is_positive() {
        assert!(withdraw_amount(0).is_err());
        assert!(withdraw_amount(-5).is_err());
        assert_eq!(withdraw_amount(5).unwrap(), 5);
    }

    #[test]
    fn status_filter_names_the_field() {
        assert_eq!(status_filter(Some("pending")).unwrap(), Some(CommissionStatus::Pending));
        assert!(status_filter(Some("nope")).is_err());
        assert_eq!(status_filter(None).unwrap(), None);
    }
}
