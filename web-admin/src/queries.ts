// Query definitions shared by the screens and by the start-up warm-up (prefetch.ts), so both
// use the same cache keys.

import { api } from './api/client';

export const meQuery = { queryKey: ['me'], queryFn: () => api.admin.adminGetMe(), staleTime: 60_000 } as const;
export const rolesQuery = { queryKey: ['roles'], queryFn: () => api.admin.adminListRoles(), staleTime: 10 * 60_000 } as const;

export const DASHBOARD_RANGES = ['7', '30', '90'];

export function dashboardQuery(days: number, tz: string) {
    return {
        queryKey: ['dashboard', days, tz],
        queryFn: () => api.admin.adminGetDashboardStats({ days, tz }),
        refetchInterval: 60_000,
    } as const;
}

/** The dashboard range in a URL query string (default 30 days). */
export function dashboardDays(search: string): number {
    const days = new URLSearchParams(search).get('days') ?? '';
    return DASHBOARD_RANGES.includes(days) ? Number(days) : 30;
}
