//! Pure market rules: the commission on a paid order, the policy that applies, masking.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::model::{Balance, EffectivePolicy, PolicyOverride};
use crate::config::AffiliateConfig;

/// The config's default reward rate (validated as a decimal in [0, 1] when saved).
pub fn default_rate(cfg: &AffiliateConfig) -> Decimal {
    cfg.default_reward_rate.parse::<Decimal>().unwrap_or(Decimal::ZERO).clamp(Decimal::ZERO, Decimal::ONE)
}

/// Overrides over defaults. A policy can turn referrals off for one customer, never on when the
/// module is off.
pub fn effective(cfg: &AffiliateConfig, o: Option<&PolicyOverride>) -> EffectivePolicy {
    let as_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    EffectivePolicy {
        enabled: cfg.enabled && o.is_none_or(|o| o.enabled),
        reward_rate: o.and_then(|o| o.reward_rate).unwrap_or_else(|| default_rate(cfg)),
        trigger_limit: o.and_then(|o| o.trigger_limit).unwrap_or(as_i32(cfg.default_trigger_time_per_user)),
        max_invite_codes: o.and_then(|o| o.max_invite_codes).unwrap_or(as_i32(cfg.max_invite_code_per_user)),
    }
}

/// The commission on `paid` minor units at `rate`, rounded down to a whole minor unit
/// (the business never pays a fraction it does not have). `None` when it would be zero.
pub fn commission(paid: i64, rate: Decimal) -> Option<i64> {
    if paid <= 0 || rate <= Decimal::ZERO {
        return None;
    }
    let amount = (Decimal::from(paid) * rate.min(Decimal::ONE)).floor().to_i64()?;
    (amount > 0).then_some(amount)
}

/// Whether another commission may be paid for a referee who already earned `earned`.
pub fn within_trigger_limit(earned: i64, limit: i32) -> bool {
    earned < i64::from(limit.max(0))
}

/// A commission becoming available: what it pays down of `owed` first, and what is left.
pub fn release(balance: &Balance, amount: i64) -> (i64, i64) {
    let repaid = balance.owed.min(amount).max(0);
    (repaid, amount - repaid)
}

/// How a reversed commission of `amount` is taken back: from the pending or available
/// balance first, then from the wallet (at most what it holds), the rest recorded as owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reversal {
    pub from_pending: i64,
    pub from_available: i64,
    pub from_wallet: i64,
    pub owed: i64,
}

pub fn reversal(was_pending: bool, amount: i64, balance: &Balance, wallet_available: i64) -> Reversal {
    if was_pending {
        let from_pending = amount.min(balance.pending).max(0);
        return Reversal { from_pending, from_available: 0, from_wallet: 0, owed: 0 };
    }
    let from_available = amount.min(balance.available).max(0);
    let rest = amount - from_available;
    let from_wallet = rest.min(wallet_available.max(0));
    Reversal { from_pending: 0, from_available, from_wallet, owed: rest - from_wallet }
}

/// `jo***@ex***.com`-style: enough for the referrer to recognise a friend, not to harvest.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.split_once('@') else { return "***".into() };
    let keep = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let tld = if tld.is_empty() { String::new() } else { format!(".{tld}") };
    format!("{}***@{}***{tld}", keep(local, 2), keep(host, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigKind, ModuleConfig, default_config};

    fn cfg() -> AffiliateConfig {
        match default_config(ConfigKind::Affiliate, &mut rand::rng()) {
            ModuleConfig::Affiliate(c) => c,
            _ => unreachable!(),
        }
    }

    #[test]
    fn commission_rounds_down_and_skips_zero() {
        let r = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(commission(1000, r("0.1")), Some(100));
        assert_eq!(commission(999, r("0.1")), Some(99));
        assert_eq!(commission(9, r("0.1")), None);
        assert_eq!(commission(0, r("0.5")), None);
        assert_eq!(commission(-10, r("0.5")), None);
        assert_eq!(commission(100, r("0")), None);
        assert_eq!(commission(100, r("1")), Some(100));
        assert_eq!(commission(i64::MAX, r("1")), Some(i64::MAX));
    }

    #[test]
    fn overrides_win_but_cannot_enable_a_disabled_module() {
        let mut c = cfg();
        let o = PolicyOverride {
            enabled: true,
            reward_rate: Some(Decimal::new(25, 2)),
            trigger_limit: Some(1),
            max_invite_codes: None,
        };
        let e = effective(&c, Some(&o));
        assert!(e.enabled);
        assert_eq!(e.reward_rate, Decimal::new(25, 2));
        assert_eq!(e.trigger_limit, 1);
        assert_eq!(e.max_invite_codes, 10);
        c.enabled = false;
        assert!(!effective(&c, Some(&o)).enabled);
        let off = PolicyOverride { enabled: false, ..o };
        assert!(!effective(&cfg(), Some(&off)).enabled);
        assert_eq!(effective(&cfg(), None).reward_rate, Decimal::new(1, 1));
    }

    #[test]
    fn trigger_limit_counts_earned_orders() {
        assert!(within_trigger_limit(0, 3));
        assert!(within_trigger_limit(2, 3));
        assert!(!within_trigger_limit(3, 3));
        assert!(!within_trigger_limit(0, 0));
    }

    #[test]
    fn reversal_never_takes_more_than_the_wallet_holds() {
        let b = Balance { pending: 0, available: 30, withdrawn: 100, owed: 0 };
        assert_eq!(
            reversal(false, 100, &b, 50),
            Reversal { from_pending: 0, from_available: 30, from_wallet: 50, owed: 20 }
        );
        assert_eq!(
            reversal(false, 20, &b, 0),
            Reversal { from_pending: 0, from_available: 20, from_wallet: 0, owed: 0 }
        );
        let p = Balance { pending: 70, ..Balance::default() };
        assert_eq!(
            reversal(true, 70, &p, 0),
            Reversal { from_pending: 70, from_available: 0, from_wallet: 0, owed: 0 }
        );
        assert_eq!(release(&Balance { owed: 20, ..Balance::default() }, 50), (20, 30));
        assert_eq!(release(&Balance::default(), 50), (0, 50));
    }

    #[test]
    fn emails_are_masked() {
        assert_eq!(mask_email("john.doe@example.com"), "jo***@e***.com");
        assert_eq!(mask_email("a@b"), "a***@b***");
        assert_eq!(mask_email("nope"), "***");
    }
}
