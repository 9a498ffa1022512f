// Pieces the commerce screens share: money shown and typed in major units (exact conversion to
// minor units), a labelled field of a detail card, group names for ids, and a CSV download.

import type { Coupon, Money } from '@helium/sdk';
import { Badge, Group, Text, TextInput, type TextInputProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { currencyDigits, formatMoney, rateToPercent } from '../lib/format';

/** A label over a value, in the detail cards. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
    return (
        <div>
            <Text size="xs" fw={600}>
                {label}
            </Text>
            <div>{children}</div>
        </div>
    );
}

/** Money from minor units; `signed` shows a `+` on credits and colours debits. */
export function MoneyText({ value, signed }: { value: Money | null | undefined; signed?: boolean }) {
    const { locale } = useI18n();
    if (!value) return <Text span inherit>—</Text>;
    const text = formatMoney(value.amount, value.currency, locale);
    if (!signed) return <Text span inherit className="money">{text}</Text>;
    return (
        <Text span inherit fw={600} className={value.amount < 0 ? 'money money-debit' : 'money money-credit'}>
            {value.amount > 0 ? `+${text}` : text}
        </Text>
    );
}

/** An amount typed in major units of `currency` (the caller converts with toMinorUnits). */
export function MoneyInput({ currency, ...props }: Omit<TextInputProps, 'rightSection'> & { currency: string }) {
    const digits = currencyDigits(currency);
    return (
        <TextInput
            inputMode={digits > 0 ? 'decimal' : 'numeric'}
            autoComplete="off"
            rightSection={
                <Text size="xs" fw={600} aria-hidden>
                    {currency}
                </Text>
            }
            rightSectionWidth={48}
            {...props}
        />
    );
}

/** Group names for ids (unknown ids as their first characters). */
export function GroupBadges({ ids, names, empty }: { ids: readonly string[]; names: ReadonlyMap<string, { name: string }>; empty?: ReactNode }) {
    if (ids.length === 0) return <>{empty ?? '—'}</>;
    return (
        <Group gap={4}>
            {ids.map((id) => (
                <Badge key={id} variant="outline" color="gray" size="sm" tt="none">
                    {names.get(id)?.name ?? id.slice(0, 8)}
                </Badge>
            ))}
        </Group>
    );
}

/** Saves `text` as a file (a Blob URL clicked once, then released). */
export function downloadText(text: string, filename: string, type = 'text/csv;charset=utf-8'): void {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `15%` or `¥5.00 off`, as a table shows it. */
export function useDiscountLabel() {
    const { t, locale } = useI18n();
    return (c: Coupon, currency: string) =>
        c.discountType === 'percentage'
            ? t('coupons.percentOff', { percent: rateToPercent(c.rate) })
            : t('coupons.amountOff', { amount: formatMoney(c.amount ?? 0, currency, locale) });
}

