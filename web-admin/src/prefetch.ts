// Start-up warm-up: with a session, ask for the profile and the role table right away (not
// after the first render), and on the dashboard also for its statistics and code, so the
// requests overlap instead of forming a waterfall.

import type { QueryClient } from '@tanstack/react-query';
import { currentSession } from './auth/session';
import { browserTimeZone } from './lib/format';
import { dashboardDays, dashboardQuery, meQuery, rolesQuery } from './queries';

export function warmUp(queryClient: QueryClient): void {
    if (!currentSession()) return;
    void queryClient.prefetchQuery(meQuery);
    void queryClient.prefetchQuery(rolesQuery);
    const path = window.location.pathname.replace(/^\/admin/, '').replace(/\/$/, '');
    if (path === '') {
        void import('./pages/DashboardPage');
        void queryClient.prefetchQuery(dashboardQuery(dashboardDays(window.location.search), browserTimeZone()));
    }
}
