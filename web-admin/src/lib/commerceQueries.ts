// Lookups the commerce screens share: the shop currency, and the groups, package series and
// products that pickers and tables name by id (first 100 of each: the select boxes of a shop
// with more would need a search, which the API does not offer yet).

import type { AdminProduct, Group, PackageSeries } from '@helium/sdk';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import { commerce } from '../api/commerce';
import { useAuth } from '../auth/AuthContext';
import { DEFAULT_CURRENCY } from './domain';

const LOOKUP_STALE = 60_000;

/**
 * The shop currency (every price and balance is in its minor units): the `shop` configuration
 * where the role may read it, else the currency of an existing product or gift-card batch, else
 * the configuration's default.
 */
export function useShopCurrency(): string {
    const { can } = useAuth();
    const q = useQuery({
        queryKey: ['shop-currency'],
        staleTime: 10 * 60_000,
        queryFn: async () => {
            const attempts: (() => Promise<string | undefined>)[] = [];
            if (can('config.manage')) {
                attempts.push(async () => {
                    const doc = await api.config.adminGetConfig({ key: 'shop' });
                    const c = (doc.value as { currency?: unknown }).currency;
                    return typeof c === 'string' ? c : undefined;
                });
            }
            if (can('catalog.read')) attempts.push(async () => (await commerce.catalog.adminListProducts({ limit: 1 })).items[0]?.price.currency);
            if (can('gift_cards.read')) attempts.push(async () => (await commerce.wallet.adminListGiftCardBatches({ limit: 1 })).items[0]?.value.currency);
            for (const attempt of attempts) {
                const c = await attempt().catch(() => undefined);
                if (c) return c;
            }
            return DEFAULT_CURRENCY;
        },
    });
    return q.data ?? DEFAULT_CURRENCY;
}

function byId<T extends { id: string }>(items: T[] | undefined): Map<string, T> {
    return new Map((items ?? []).map((i) => [i.id, i]));
}

/** Customer groups (also the node groups a package version opens). */
export function useGroups() {
    const { can } = useAuth();
    const q = useQuery({
        queryKey: ['groups', 'lookup'],
        queryFn: () => api.customers.adminListGroups({ limit: 100 }),
        enabled: can('catalog.read'),
        staleTime: LOOKUP_STALE,
    });
    const items: Group[] = q.data?.items ?? [];
    return { ...q, items, byId: useMemo(() => byId(q.data?.items), [q.data]) };
}

/** Package series (live and archived). */
export function useSeriesLookup() {
    const { can } = useAuth();
    const q = useQuery({
        queryKey: ['series', 'lookup'],
        queryFn: () => commerce.catalog.adminListPackageSeries({ limit: 100 }),
        enabled: can('catalog.read'),
        staleTime: LOOKUP_STALE,
    });
    const items: PackageSeries[] = q.data?.items ?? [];
    return { ...q, items, byId: useMemo(() => byId(q.data?.items), [q.data]) };
}

/** Products not archived. */
export function useProductLookup() {
    const { can } = useAuth();
    const q = useQuery({
        queryKey: ['products', 'lookup'],
        queryFn: () => commerce.catalog.adminListProducts({ limit: 100 }),
        enabled: can('catalog.read'),
        staleTime: LOOKUP_STALE,
    });
    const items: AdminProduct[] = q.data?.items ?? [];
    return { ...q, items, byId: useMemo(() => byId(q.data?.items), [q.data]) };
}
