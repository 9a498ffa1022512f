// The fields of a product (create dialog and detail page): name, description, price in major
// units of the shop currency, the package series it sells, the customer groups that see it,
// on sale, sort order, referral commission.

import type { AdminProduct } from '@helium/sdk';
import { Alert, MultiSelect, Select, SimpleGrid, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { useI18n, type Translate } from '../i18n';
import { useGroups, useSeriesLookup } from '../lib/commerceQueries';
import { toMajorInput, toMinorUnits } from '../lib/format';
import { MoneyInput } from './commerce';

export interface ProductDraft {
    name: string;
    description: string;
    price: string;
    seriesId: string;
    groupIds: string[];
    onSale: boolean;
    sort: string;
    commissionEligible: boolean;
}

/** The form of an existing product, or of a new one with `defaults`. */
export function productDraft(p: AdminProduct | undefined, defaults: Partial<ProductDraft> = {}): ProductDraft {
    if (!p) {
        return { name: '', description: '', price: '', seriesId: '', groupIds: [], onSale: true, sort: '0', commissionEligible: true, ...defaults };
    }
    return {
        name: p.name,
        description: p.description ?? '',
        price: toMajorInput(p.price.amount, p.price.currency),
        seriesId: p.packageSeriesId,
        groupIds: p.groupIds,
        onSale: p.onSale,
        sort: String(p.sort),
        commissionEligible: p.commissionEligible,
    };
}

export interface CheckedProduct {
    errors: Record<string, string>;
    price: number | null;
    sort: number | null;
}

/** Local checks before sending (the server checks again and answers per field). */
export function checkProduct(d: ProductDraft, currency: string, t: Translate): CheckedProduct {
    const errors: Record<string, string> = {};
    const price = toMinorUnits(d.price, currency);
    if (price === null) errors.price = t('money.invalid');
    const sort = /^-?\d{1,9}$/.test(d.sort.trim()) ? Number(d.sort.trim()) : null;
    if (sort === null) errors.sort = t('field.invalid_format');
    if (!d.name.trim()) errors.name = t('field.required');
    if (!d.seriesId) errors.package_series_id = t('field.required');
    return { errors, price, sort };
}

export function ProductFields({
    draft,
    onChange,
    currency,
    errors,
}: {
    draft: ProductDraft;
    onChange: (d: ProductDraft) => void;
    currency: string;
    errors: Record<string, string | undefined>;
}) {
    const { t } = useI18n();
    const series = useSeriesLookup();
    const groups = useGroups();
    const set = <K extends keyof ProductDraft>(k: K, v: ProductDraft[K]) => onChange({ ...draft, [k]: v });
    const chosen = series.byId.get(draft.seriesId);
    const seriesOptions = series.items
        .filter((s) => !s.archived || s.id === draft.seriesId)
        .map((s) => ({ value: s.id, label: s.currentVersionId ? s.name : t('products.seriesUnpublished', { name: s.name }) }));
    return (
        <Stack>
            <TextInput label={t('common.name')} required maxLength={100} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.name} data-autofocus data-testid="product-name" />
            <Textarea label={t('common.description')} autosize minRows={2} maxLength={1000} value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} error={errors.description} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <MoneyInput
                    currency={currency}
                    label={t('products.price')}
                    description={t('products.priceHint')}
                    required
                    value={draft.price}
                    onChange={(e) => set('price', e.currentTarget.value)}
                    error={errors.price}
                    data-testid="product-price"
                />
                <Select
                    label={t('products.series')}
                    required
                    searchable
                    data={seriesOptions}
                    value={draft.seriesId || null}
                    onChange={(v) => set('seriesId', v ?? '')}
                    error={errors.package_series_id}
                    nothingFoundMessage={t('common.nothingFound')}
                    data-testid="product-series"
                />
            </SimpleGrid>
            {chosen && !chosen.currentVersionId ? (
                <Alert color="orange" p="xs">
                    {t('products.seriesUnpublishedHint')}
                </Alert>
            ) : null}
            <MultiSelect
                label={t('products.groups')}
                description={t('products.groupsHint')}
                data={groups.items.map((g) => ({ value: g.id, label: g.name }))}
                value={draft.groupIds}
                onChange={(v) => set('groupIds', v)}
                searchable
                clearable
                error={errors.group_ids}
                data-testid="product-groups"
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label={t('products.sort')} description={t('products.sortHint')} inputMode="numeric" value={draft.sort} onChange={(e) => set('sort', e.currentTarget.value)} error={errors.sort} />
                <Stack gap="xs" pt="md">
                    <Switch label={t('products.onSale')} checked={draft.onSale} onChange={(e) => set('onSale', e.currentTarget.checked)} data-testid="product-on-sale" />
                    <Switch label={t('products.commission')} checked={draft.commissionEligible} onChange={(e) => set('commissionEligible', e.currentTarget.checked)} />
                </Stack>
            </SimpleGrid>
        </Stack>
    );
}
