// List state lives in the URL (shareable links): filters, page size and the cursor of the
// current page. The cursors of earlier pages ride in the history entry's state, so "previous"
// works without the server paging backwards; a shared link's "previous" is the first page.

import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';

export function useFilters<K extends string>(keys: readonly K[]) {
    const [params] = useSearchParams();
    const navigate = useNavigate();
    const location = useLocation();
    const values = useMemo(() => {
        const v = {} as Record<K, string>;
        for (const k of keys) v[k] = params.get(k) ?? '';
        return v;
    }, [params, keys]);

    /**
     * Changes filters (empty string removes one) and goes back to the first page — unless
     * `keepPage` (a value that does not filter, such as an open dialog).
     */
    const set = useCallback(
        (patch: Partial<Record<K, string>>, { keepPage = false }: { keepPage?: boolean } = {}) => {
            const next = new URLSearchParams(location.search);
            for (const [k, v] of Object.entries(patch) as [K, string | undefined][]) {
                if (v) next.set(k, v);
                else next.delete(k);
            }
            if (!keepPage) next.delete('cursor');
            const q = next.toString();
            navigate({ pathname: location.pathname, search: q ? `?${q}` : '' }, keepPage ? { state: location.state } : undefined);
        },
        [location.pathname, location.search, location.state, navigate],
    );
    return { values, set };
}

interface PagingState {
    cursors?: string[];
}

export function useCursorPaging(defaultLimit = 20) {
    const [params] = useSearchParams();
    const navigate = useNavigate();
    const location = useLocation();
    const cursor = params.get('cursor') || undefined;
    const rawLimit = Number(params.get('limit'));
    const limit = Number.isInteger(rawLimit) && rawLimit >= 1 && rawLimit <= 100 ? rawLimit : defaultLimit;
    const stack = ((location.state as PagingState | null)?.cursors ?? []).filter((c) => typeof c === 'string');
    const page = cursor ? Math.max(stack.length, 1) + 1 : 1;

    const go = useCallback(
        (to: string | undefined, cursors: string[]) => {
            const next = new URLSearchParams(location.search);
            if (to) next.set('cursor', to);
            else next.delete('cursor');
            const q = next.toString();
            navigate({ pathname: location.pathname, search: q ? `?${q}` : '' }, { state: { cursors } });
        },
        [location.pathname, location.search, navigate],
    );

    return {
        cursor,
        limit,
        page,
        hasPrev: cursor !== undefined,
        next: (nextCursor: string) => go(nextCursor, [...stack, cursor ?? '']),
        prev: () => {
            const before = stack.slice(0, -1);
            const target = stack[stack.length - 1];
            go(target || undefined, before);
        },
        setLimit: (n: number) => {
            const next = new URLSearchParams(location.search);
            next.set('limit', String(n));
            next.delete('cursor');
            navigate({ pathname: location.pathname, search: `?${next.toString()}` });
        },
    };
}
