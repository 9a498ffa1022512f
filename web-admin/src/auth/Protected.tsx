// The signed-in part of the app: without a session go to sign-in (remembering where to come
// back); with one, load the profile and the role table, renew the access token a minute before
// it runs out, watch for the session's end (refresh refused, sign-out in another tab) and
// render the layout.

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, renew } from '../api/client';
import { Layout } from '../components/Layout';
import { FullPageLoader, ProblemState } from '../components/states';
import { permissionsOf } from '../lib/nav';
import { meQuery, rolesQuery } from '../queries';
import { AuthContext, makeCan, type Auth } from './AuthContext';
import { currentSession, endSession, lastEndReason, onSessionChange, refreshDelay, type EndReason } from './session';

function subscribe(cb: () => void) {
    return onSessionChange(() => cb());
}
const snapshot = () => currentSession()?.token ?? null;

/** `/login?next=…` for the current location. */
export function loginPath(pathname: string, search: string, reason?: EndReason): string {
    const params = new URLSearchParams();
    const next = `${pathname}${search}`;
    if (next && next !== '/') params.set('next', next);
    if (reason === 'expired') params.set('expired', '1');
    const q = params.toString();
    return q ? `/login?${q}` : '/login';
}

export function Protected() {
    const token = useSyncExternalStore(subscribe, snapshot);
    const location = useLocation();
    const navigate = useNavigate();
    const queryClient = useQueryClient();

    // The session ended (here or in another tab): drop cached data, back to sign-in once.
    useEffect(
        () =>
            onSessionChange((reason) => {
                if (currentSession()) return;
                queryClient.clear();
                // Signed out on purpose: a plain sign-in page. Expired: come back here afterwards.
                const to =
                    reason === 'expired'
                        ? loginPath(window.location.pathname.replace(/^\/admin/, '') || '/', window.location.search, reason)
                        : '/login';
                navigate(to, { replace: true });
            }),
        [navigate, queryClient],
    );

    // Access tokens last 15 minutes: renew a minute ahead (a failure here is retried by the
    // next request; a refused refresh token ends the session through the session events).
    useEffect(() => {
        const s = currentSession();
        if (!s) return undefined;
        const timer = window.setTimeout(() => void renew().catch(() => undefined), refreshDelay(s));
        return () => window.clearTimeout(timer);
    }, [token]);

    const me = useQuery({ ...meQuery, enabled: token !== null });
    const roles = useQuery({ ...rolesQuery, enabled: token !== null });

    const signOut = useCallback(async () => {
        try {
            await api.admin.adminLogout();
        } catch {
            // the session may already be gone; sign out locally regardless
        }
        endSession('signed_out');
        queryClient.clear();
        navigate('/login', { replace: true });
    }, [navigate, queryClient]);

    const auth = useMemo<Auth | null>(() => {
        if (!me.data || !roles.data) return null;
        const permissions = permissionsOf(roles.data.roles, me.data.role);
        return { me: me.data, roles: roles.data, permissions, can: makeCan(permissions), signOut };
    }, [me.data, roles.data, signOut]);

    if (token === null) {
        const reason = lastEndReason();
        const to = reason === 'signed_out' ? '/login' : loginPath(location.pathname, location.search, reason ?? undefined);
        return <Navigate to={to} replace />;
    }
    const failed = me.error ?? roles.error;
    if (failed) {
        return <ProblemState error={failed} onRetry={() => void Promise.all([me.refetch(), roles.refetch()])} fullPage />;
    }
    if (!auth) return <FullPageLoader />;
    return (
        <AuthContext.Provider value={auth}>
            <Layout />
        </AuthContext.Provider>
    );
}
