// Refunds of an order (the order page's rules, the server's own): partial refunds add up to at
// most the total. Kept out of domain.ts, which the app shell loads, as only the order page uses it.

/**
 * What may still be refunded of an order, in minor units (the server's rule): partial refunds
 * add up to at most the total, so a paid or delivered order, or a refunded one with something
 * left, may be refunded (again); a top-up never (its money already sits in the wallet).
 * `null` = not refundable at all.
 */
export function refundableAmount(o: { kind: string; status: string; total: { amount: number }; refundAmount?: { amount: number } | null }): number | null {
    if (o.kind === 'top_up') return null;
    const remaining = o.total.amount - (o.refundAmount?.amount ?? 0);
    if (o.status === 'paid' || o.status === 'delivered') return Math.max(remaining, 0);
    if (o.status === 'refunded' && remaining > 0) return remaining;
    return null;
}

/** A typed refund amount (minor units; `null` when not an amount): one minor unit up to what is left. */
export function refundAmountValid(minor: number | null, remaining: number): boolean {
    return minor !== null && minor >= 1 && minor <= remaining;
}
