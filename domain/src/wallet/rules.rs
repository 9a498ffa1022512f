//! Pure ledger rules: which accounts a kind of posting moves, and that it balances.

use super::model::{Account, AdjustmentKind, PostingKind};

/// One line of a posting: `amount` (signed minor units) on `account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub account: Account,
    pub amount: i64,
}

/// The lines of a posting of `amount` (> 0) for a customer wallet.
pub fn lines(kind: PostingKind, amount: i64) -> [Line; 2] {
    let (credit, debit) = match kind {
        PostingKind::GiftCard => (Account::Available, Account::GiftCards),
        PostingKind::OrderPayment => (Account::Revenue, Account::Available),
        PostingKind::Refund => (Account::Available, Account::Revenue),
        PostingKind::TopUp | PostingKind::Overpayment => (Account::Available, Account::Gateway),
        PostingKind::CommissionWithdrawal => (Account::Available, Account::Commissions),
        PostingKind::CommissionReversal => (Account::Commissions, Account::Available),
        PostingKind::Freeze => (Account::Frozen, Account::Available),
        PostingKind::Unfreeze => (Account::Available, Account::Frozen),
        // Adjustments are directional: see `adjustment_lines`.
        PostingKind::Adjustment => (Account::Available, Account::Adjustments),
    };
    [Line { account: credit, amount }, Line { account: debit, amount: -amount }]
}

/// The posting kind and lines of a staff adjustment.
pub fn adjustment_lines(kind: AdjustmentKind, amount: i64) -> (PostingKind, [Line; 2]) {
    match kind {
        AdjustmentKind::Deposit => (PostingKind::Adjustment, lines(PostingKind::Adjustment, amount)),
        AdjustmentKind::Consume => (
            PostingKind::Adjustment,
            [Line { account: Account::Adjustments, amount }, Line { account: Account::Available, amount: -amount }],
        ),
        AdjustmentKind::Freeze => (PostingKind::Freeze, lines(PostingKind::Freeze, amount)),
        AdjustmentKind::Unfreeze => (PostingKind::Unfreeze, lines(PostingKind::Unfreeze, amount)),
    }
}

/// Whether the lines sum to zero (the database checks it again at commit).
pub fn balanced(lines: &[Line]) -> bool {
    lines.iter().try_fold(0i64, |sum, l| sum.checked_add(l.amount)) == Some(0)
}

/// How much a posting changes (available, frozen).
pub fn wallet_delta(lines: &[Line]) -> (i64, i64) {
    lines.iter().fold((0, 0), |(a, f), l| match l.account {
        Account::Available => (a + l.amount, f),
        Account::Frozen => (a, f + l.amount),
        _ => (a, f),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_balances_and_moves_the_wallet_the_right_way() {
        for kind in PostingKind::ALL {
            let l = lines(kind, 700);
            assert!(balanced(&l), "{kind:?}");
        }
        assert_eq!(wallet_delta(&lines(PostingKind::OrderPayment, 700)), (-700, 0));
        assert_eq!(wallet_delta(&lines(PostingKind::Refund, 700)), (700, 0));
        assert_eq!(wallet_delta(&lines(PostingKind::GiftCard, 700)), (700, 0));
        assert_eq!(wallet_delta(&lines(PostingKind::Freeze, 700)), (-700, 700));
        assert_eq!(wallet_delta(&lines(PostingKind::Unfreeze, 700)), (700, -700));
    }

    #[test]
    fn adjustments_go_both_ways() {
        for (kind, delta) in [
            (AdjustmentKind::Deposit, (5, 0)),
            (AdjustmentKind::Consume, (-5, 0)),
            (AdjustmentKind::Freeze, (-5, 5)),
            (AdjustmentKind::Unfreeze, (5, -5)),
        ] {
            let (_, l) = adjustment_lines(kind, 5);
            assert!(balanced(&l));
            assert_eq!(wallet_delta(&l), delta, "{kind:?}");
        }
    }

    #[test]
    fn unbalanced_or_overflowing_lines_are_refused() {
        let l = [Line { account: Account::Available, amount: 1 }, Line { account: Account::Revenue, amount: 0 }];
        assert!(!balanced(&l));
        let big = [
            Line { account: Account::Available, amount: i64::MAX },
            Line { account: Account::Revenue, amount: i64::MAX },
            Line { account: Account::Gateway, amount: 2 },
        ];
        assert!(!balanced(&big));
    }
}
