// Renewing the 15-minute staff access token: one refresh for any number of concurrent callers
// (the refresh token is single use; presenting it twice makes the server revoke the session),
// other tabs wait and reuse the renewed token, a refused refresh token ends the session, a
// network failure does not.

import { describe, expect, it } from 'vitest';
import { renewer, type RefreshAnswer, type RenewDeps } from '../src/auth/renew';
import { needsRefresh, refreshDelay, REFRESH_MARGIN_MS, type StoredSession } from '../src/auth/session';

const NOW = 1_700_000_000_000;

/** Shared storage (as localStorage is between tabs) and a fake adminRefreshToken. */
function world(initial: StoredSession | null) {
    const state = { stored: initial, refreshCalls: [] as string[], ended: 0, serial: 0 };
    let queue: Promise<unknown> = Promise.resolve();
    const lock = <T,>(fn: () => Promise<T>): Promise<T> => {
        const run = queue.then(fn, fn);
        queue = run.catch(() => undefined);
        return run;
    };
    const tab = (refresh: (token: string) => Promise<RefreshAnswer>): ReturnType<typeof renewer> =>
        renewer({
            session: () => state.stored,
            refresh: async (token) => {
                state.refreshCalls.push(token);
                return refresh(token);
            },
            save: (token, expiresIn, refreshToken) => {
                state.stored = { token, expiresAt: NOW + (expiresIn ?? 900) * 1000, refreshToken: refreshToken ?? null };
            },
            end: () => {
                state.ended += 1;
                state.stored = null;
            },
            refused: (e) => (e as { status?: number }).status === 401,
            lock,
            stale: (s) => needsRefresh(s, NOW),
        } satisfies RenewDeps);
    const rotate = async (token: string): Promise<RefreshAnswer> => {
        await new Promise((r) => setTimeout(r, 5));
        state.serial += 1;
        return { accessToken: `access-${state.serial}`, expiresIn: 900, refreshToken: `${token}+` };
    };
    return { state, tab, rotate };
}

const expired: StoredSession = { token: 'access-0', expiresAt: NOW - 1, refreshToken: 'refresh-0' };

describe('staff token renewal', () => {
    it('renews a minute before expiry, not earlier', () => {
        const s = { token: 'a', expiresAt: NOW + 15 * 60_000, refreshToken: 'r' };
        expect(needsRefresh(s, NOW)).toBe(false);
        expect(needsRefresh(s, NOW + 14 * 60_000)).toBe(true);
        expect(refreshDelay(s, NOW)).toBe(15 * 60_000 - REFRESH_MARGIN_MS);
        expect(refreshDelay({ ...s, expiresAt: NOW - 5 }, NOW)).toBe(0);
    });

    it('concurrent callers in one tab share one refresh', async () => {
        const { state, tab, rotate } = world(expired);
        const renew = tab(rotate);
        const tokens = await Promise.all(Array.from({ length: 8 }, () => renew('access-0')));
        expect(state.refreshCalls).toEqual(['refresh-0']);
        expect(new Set(tokens)).toEqual(new Set(['access-1']));
        expect(state.stored).toMatchObject({ token: 'access-1', refreshToken: 'refresh-0+' });
        // A late 401 for the old token reuses the renewed one instead of refreshing again.
        expect(await renew('access-0')).toBe('access-1');
        expect(state.refreshCalls).toHaveLength(1);
    });

    it('two tabs renewing at once refresh once: the second waits and reuses the token', async () => {
        const { state, tab, rotate } = world(expired);
        const [a, b] = [tab(rotate), tab(rotate)];
        const [ta, tb] = await Promise.all([a(), b()]);
        expect(state.refreshCalls).toEqual(['refresh-0']);
        expect([ta, tb]).toEqual(['access-1', 'access-1']);
    });

    it('a token the server rejected is renewed even when it looks fresh', async () => {
        const { state, tab, rotate } = world({ token: 'revoked', expiresAt: NOW + 600_000, refreshToken: 'refresh-0' });
        const renew = tab(rotate);
        expect(await renew()).toBe('revoked'); // proactive: nothing to do yet
        expect(await renew('revoked')).toBe('access-1');
        expect(state.refreshCalls).toEqual(['refresh-0']);
    });

    it('a refused refresh token ends the session once; a network failure keeps it', async () => {
        const refused = world(expired);
        const renew = refused.tab(async () => Promise.reject(Object.assign(new Error('refresh_token_invalid'), { status: 401 })));
        expect(await Promise.all([renew('access-0'), renew('access-0')])).toEqual([null, null]);
        expect(refused.state.ended).toBe(1);
        expect(refused.state.stored).toBeNull();
        expect(await renew('access-0')).toBeNull();
        expect(refused.state.refreshCalls).toHaveLength(1);

        const offline = world(expired);
        const renew2 = offline.tab(async () => Promise.reject(new TypeError('Failed to fetch')));
        await expect(renew2('access-0')).rejects.toThrow('Failed to fetch');
        expect(offline.state.ended).toBe(0);
        expect(offline.state.stored).toEqual(expired);
    });

    it('without a refresh token there is nothing to renew: the session ends', async () => {
        const { state, tab, rotate } = world({ token: 'old', expiresAt: NOW - 1, refreshToken: null });
        expect(await tab(rotate)('old')).toBeNull();
        expect(state.ended).toBe(1);
        expect(state.refreshCalls).toEqual([]);
    });
});
