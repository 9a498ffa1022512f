//! Pure shop decisions: whether a coupon applies and what it takes off, which order states
//! allow which action, order numbers for gateways, and Epay's yuan strings.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use uuid::Uuid;

use super::model::{Coupon, DiscountType, OrderKind, OrderStatus};
use crate::ErrorCode;

/// Whether `coupon` may be used for `product_id` at `subtotal` now (the use counters are
/// checked where they are kept, under a lock), and the discount it gives.
pub fn coupon_discount(coupon: &Coupon, product_id: Uuid, subtotal: i64, now: DateTime<Utc>) -> Result<i64, ErrorCode> {
    if !coupon.active {
        return Err(ErrorCode::CouponInactive);
    }
    if now < coupon.starts_at {
        return Err(ErrorCode::CouponNotStarted);
    }
    if now >= coupon.ends_at {
        return Err(ErrorCode::CouponExpired);
    }
    if !coupon.product_ids.is_empty() && !coupon.product_ids.contains(&product_id) {
        return Err(ErrorCode::CouponNotApplicable);
    }
    if coupon.min_amount.is_some_and(|min| subtotal < min) {
        return Err(ErrorCode::CouponMinAmountNotMet);
    }
    if coupon.max_uses.is_some_and(|max| coupon.uses >= max) {
        return Err(ErrorCode::CouponUsageExhausted);
    }
    let discount = match coupon.discount_type {
        // Rounded down: the customer never gets more off than the rate says.
        DiscountType::Percentage => coupon
            .rate
            .and_then(|r| (Decimal::from(subtotal) * r).floor().to_i64())
            .ok_or(ErrorCode::CouponNotApplicable)?,
        DiscountType::Fixed => coupon.amount.ok_or(ErrorCode::CouponNotApplicable)?,
    };
    // A coupon never makes an order free (or pay the customer): only free products are.
    if discount >= subtotal {
        return Err(ErrorCode::CouponExceedsPrice);
    }
    Ok(discount.max(0))
}

pub fn payable(status: OrderStatus) -> bool {
    status == OrderStatus::Unpaid
}

pub fn cancellable(status: OrderStatus) -> bool {
    status == OrderStatus::Unpaid
}

pub fn refundable(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Paid | OrderStatus::Delivered)
}

/// What may still be refunded of an order: partial refunds add up to at most its total. A
/// top-up is never refundable (its money already sits in the wallet), nor an order that was
/// not paid. `None` = not refundable at all.
pub fn refundable_amount(kind: OrderKind, status: OrderStatus, total: i64, refunded: Option<i64>) -> Option<i64> {
    let remaining = total - refunded.unwrap_or(0);
    match (kind, status) {
        (OrderKind::TopUp, _) => None,
        (_, OrderStatus::Paid | OrderStatus::Delivered) => Some(remaining),
        (_, OrderStatus::Refunded) if remaining > 0 => Some(remaining),
        _ => None,
    }
}

/// The gateway-facing order number: `H`, the UTC date and 12 random digits (unique in the
/// table; a collision is retried).
pub fn trade_no(now: DateTime<Utc>, random: u64) -> String {
    format!("H{}{:012}", now.format("%Y%m%d"), random % 1_000_000_000_000)
}

/// Minor units as Epay's yuan string: at most two decimals, no trailing zeros
/// (`1000` → `10`, `1050` → `10.5`, `999` → `9.99`).
pub fn yuan(minor: i64) -> String {
    let d = Decimal::new(minor, 2).normalize();
    d.to_string()
}

/// Epay's `money` back to minor units; `None` for anything that is not a non-negative
/// amount with at most two decimals.
pub fn minor_from_yuan(money: &str) -> Option<i64> {
    let money = money.trim();
    if money.is_empty() || money.starts_with(['+', '-']) || !money.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let d: Decimal = money.parse().ok()?;
    if d.scale() > 2 && d.normalize().scale() > 2 {
        return None;
    }
    (d * Decimal::from(100)).normalize().to_i64()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn partial_refunds_add_up_to_the_total_and_top_ups_never_refund() {
        use OrderStatus::*;
        assert_eq!(refundable_amount(OrderKind::Purchase, Delivered, 2000, None), Some(2000));
        assert_eq!(refundable_amount(OrderKind::Purchase, Refunded, 2000, Some(500)), Some(1500));
        assert_eq!(refundable_amount(OrderKind::Renewal, Refunded, 2000, Some(2000)), None);
        assert_eq!(refundable_amount(OrderKind::TopUp, Delivered, 500, None), None);
        assert_eq!(refundable_amount(OrderKind::Purchase, Unpaid, 500, None), None);
        assert_eq!(refundable_amount(OrderKind::Purchase, Cancelled, 500, None), None);
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, h, 0, 0).single().unwrap_or_default()
    }

    fn coupon(kind: DiscountType) -> Coupon {
        Coupon {
            id: Uuid::nil(),
            code: "SAVE".into(),
            discount_type: kind,
            rate: Some(Decimal::new(15, 2)),
            amount: Some(300),
            starts_at: at(1),
            ends_at: at(10),
            max_uses: Some(5),
            max_uses_per_user: 1,
            min_amount: Some(500),
            product_ids: vec![],
            active: true,
            uses: 0,
            ever_used: false,
            created_at: at(0),
            updated_at: at(0),
        }
    }

    #[test]
    fn percentage_rounds_down_and_fixed_takes_its_amount() {
        let p = Uuid::from_u128(1);
        assert_eq!(coupon_discount(&coupon(DiscountType::Percentage), p, 999, at(2)), Ok(149));
        assert_eq!(coupon_discount(&coupon(DiscountType::Fixed), p, 999, at(2)), Ok(300));
    }

    #[test]
    fn each_rule_has_its_code() {
        let p = Uuid::from_u128(1);
        let mut c = coupon(DiscountType::Fixed);
        assert_eq!(coupon_discount(&c, p, 999, at(0)), Err(ErrorCode::CouponNotStarted));
        assert_eq!(coupon_discount(&c, p, 999, at(10)), Err(ErrorCode::CouponExpired));
        assert_eq!(coupon_discount(&c, p, 499, at(2)), Err(ErrorCode::CouponMinAmountNotMet));
        c.product_ids = vec![Uuid::from_u128(2)];
        assert_eq!(coupon_discount(&c, p, 999, at(2)), Err(ErrorCode::CouponNotApplicable));
        c.product_ids.clear();
        c.uses = 5;
        assert_eq!(coupon_discount(&c, p, 999, at(2)), Err(ErrorCode::CouponUsageExhausted));
        c.uses = 0;
        c.amount = Some(999);
        assert_eq!(coupon_discount(&c, p, 999, at(2)), Err(ErrorCode::CouponExceedsPrice));
        c.active = false;
        assert_eq!(coupon_discount(&c, p, 999, at(2)), Err(ErrorCode::CouponInactive));
    }

    #[test]
    fn a_full_percentage_is_refused() {
        let mut c = coupon(DiscountType::Percentage);
        c.rate = Some(Decimal::ONE);
        assert_eq!(coupon_discount(&c, Uuid::nil(), 1000, at(2)), Err(ErrorCode::CouponExceedsPrice));
    }

    #[test]
    fn yuan_strings_round_trip() {
        for (minor, text) in [(1000, "10"), (1050, "10.5"), (999, "9.99"), (1, "0.01"), (0, "0")] {
            assert_eq!(yuan(minor), text);
            assert_eq!(minor_from_yuan(text), Some(minor));
        }
        assert_eq!(minor_from_yuan("10.50"), Some(1050));
        assert_eq!(minor_from_yuan("10.00"), Some(1000));
        for bad in ["", "-1", "+1", "1.005", "1e3", "abc", "1,00", " "] {
            assert_eq!(minor_from_yuan(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn trade_numbers_are_dated_and_fixed_width() {
        let t = trade_no(at(3), 42);
        assert_eq!(t, "H20261206000000000042");
        assert_eq!(trade_no(at(3), u64::MAX).len(), t.len());
    }
}
