// Lookups the node screens share: node servers by id, for pickers, filters and tables (the
// first 100: a fleet with more would need a search, which the API does not offer yet).

import type { NodeServer } from '@helium/sdk';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { telecom } from '../api/telecom';
import { useAuth } from '../auth/AuthContext';

export function useServerLookup() {
    const { can } = useAuth();
    const q = useQuery({
        queryKey: ['nodes', 'servers', 'lookup'],
        queryFn: () => telecom.adminListNodeServers({ limit: 100 }),
        enabled: can('nodes.read'),
        staleTime: 60_000,
    });
    const items: NodeServer[] = q.data?.items ?? [];
    return { ...q, items, byId: useMemo(() => new Map((q.data?.items ?? []).map((s) => [s.id, s])), [q.data]) };
}
