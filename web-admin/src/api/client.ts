// The only way the app talks to the server: the generated TypeScript SDK (sdks/typescript),
// one configured instance per API class the admin screens use. No hand-written fetch calls.
//
// Staff access tokens last 15 minutes. Every request asks for a usable token first (renewed
// single-flight when it runs out within a minute); a 401 to a request that carried one renews
// it once and repeats the request; when the server refuses the refresh token the session ends
// and the app returns to sign-in once. A 403 mfa_required raises the TOTP enrolment prompt.

import {
    AdminApi,
    AuditApi,
    ConfigApi,
    CustomersApi,
    MetaApi,
    createHeliumConfiguration,
    type Middleware,
} from '@helium/sdk';
import { requestMfa } from '../auth/mfaPrompt';
import { renewer } from '../auth/renew';
import { currentSession, endSession, needsRefresh, saveSession } from '../auth/session';
import { asProblem } from './errors';

const BEARER = /^Bearer\s+(.+)$/i;

/** The bearer token a request carried, if any. */
function sentToken(init: RequestInit): string | undefined {
    const h = init.headers;
    if (!h) return undefined;
    let value: string | null | undefined;
    if (h instanceof Headers) value = h.get('authorization');
    else if (Array.isArray(h)) value = h.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    else value = Object.entries(h as Record<string, string>).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    return value ? BEARER.exec(value)?.[1] : undefined;
}

function withToken(init: RequestInit, token: string): RequestInit {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return { ...init, headers };
}

/** Requests already repeated once with a renewed token (a second 401 ends the session). */
const repeated = new WeakSet<RequestInit>();

const sessionGuard: Middleware = {
    // `again` is the SDK's own request pipeline (middleware included), not a hand-written call.
    async post({ fetch: again, url, init, response }) {
        if (response.status === 403) {
            const body = (await response.json().catch(() => null)) as { code?: string } | null;
            if (body?.code === 'mfa_required') requestMfa();
            return undefined;
        }
        const sent = response.status === 401 ? sentToken(init) : undefined;
        // A 401 to sign-in itself (wrong password, wrong code) is left to the form.
        if (!sent) return undefined;
        if (repeated.has(init)) {
            endSession('expired');
            return undefined;
        }
        const fresh = await renew(sent).catch(() => null);
        if (!fresh) return undefined;
        const retry = withToken(init, fresh);
        repeated.add(retry);
        return again(url, retry);
    },
};

/** Shared by every API instance (the commerce ones live in ./commerce.ts, loaded with their screens). */
export const configuration = createHeliumConfiguration({
    baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
    accessToken: async () => (await usableToken()) ?? '',
    middleware: [sessionGuard],
});

export const api = {
    admin: new AdminApi(configuration),
    audit: new AuditApi(configuration),
    config: new ConfigApi(configuration),
    customers: new CustomersApi(configuration),
    meta: new MetaApi(configuration),
};

function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
    return locks ? (locks.request('helium.admin.refresh', fn) as Promise<T>) : fn();
}

/** Renews the access token (single-flight in this tab, one tab at a time): the new token or null. */
export const renew = renewer({
    session: currentSession,
    refresh: (refreshToken) => api.admin.adminRefreshToken({ adminRefreshRequest: { refreshToken } }),
    save: saveSession,
    end: () => endSession('expired'),
    refused: (e) => {
        const status = asProblem(e)?.status;
        return status === 401 || status === 403;
    },
    lock: withRefreshLock,
    stale: (s) => needsRefresh(s),
});

/** The stored access token, renewed first when it runs out within a minute. */
export async function usableToken(): Promise<string | undefined> {
    const s = currentSession();
    if (!s) return undefined;
    if (!needsRefresh(s)) return s.token;
    try {
        return (await renew()) ?? undefined;
    } catch {
        // The server could not be reached: try with what we have (the request reports it).
        return s.token;
    }
}
