// The staff session: a 15-minute access token, when it expires, and the session's refresh
// token (adminLogin / adminLoginMfa give both; adminRefreshToken rotates them, API.md §2.2).
// It lives in localStorage, so new tabs stay signed in and a sign-out in one tab signs out all.
// The session ends when the server refuses the refresh token (session over, revoked, password
// or role changed, account disabled) or on sign-out; the app then goes back to sign-in once
// (no loop: sign-in needs no token). Renewal itself is in api/client.ts.

const KEY = 'helium.admin.session';
export const SESSION_EVENT = 'helium:session';
/** Renew the access token this long before it runs out. */
export const REFRESH_MARGIN_MS = 60_000;
/** Lifetime assumed when an answer names none: the server's staff access-token lifetime. */
const DEFAULT_ACCESS_SECS = 900;

export interface StoredSession {
    token: string;
    /** When the access token runs out, epoch milliseconds. */
    expiresAt: number;
    /** Single use: each renewal returns the next one. */
    refreshToken: string | null;
}

export type EndReason = 'expired' | 'signed_out';

/** Why this tab's last session ended (sign-in pages ask: say "expired", or nothing). */
let lastEnd: EndReason | null = null;
export function lastEndReason(): EndReason | null {
    return lastEnd;
}

function read(): StoredSession | null {
    try {
        const raw = localStorage.getItem(KEY);
        if (!raw) return null;
        const s = JSON.parse(raw) as Partial<StoredSession>;
        if (typeof s.token !== 'string' || typeof s.expiresAt !== 'number') return null;
        const refreshToken = typeof s.refreshToken === 'string' && s.refreshToken ? s.refreshToken : null;
        return { token: s.token, expiresAt: s.expiresAt, refreshToken };
    } catch {
        return null;
    }
}

function announce(reason?: EndReason): void {
    window.dispatchEvent(new CustomEvent(SESSION_EVENT, { detail: reason }));
}

/**
 * The live session, or null. An expired access token with a refresh token is still a session
 * (it is renewed on the next request); without one it is dropped.
 */
export function currentSession(now = Date.now()): StoredSession | null {
    const s = read();
    if (s && s.expiresAt <= now && !s.refreshToken) {
        localStorage.removeItem(KEY);
        return null;
    }
    return s;
}

export function getToken(): string | undefined {
    return currentSession()?.token;
}

/** Whether the access token has run out or will within `marginMs`. */
export function needsRefresh(s: StoredSession, now = Date.now(), marginMs = REFRESH_MARGIN_MS): boolean {
    return s.expiresAt - marginMs <= now;
}

/** When to renew `s` proactively: `marginMs` before it runs out (at once if that passed). */
export function refreshDelay(s: StoredSession, now = Date.now(), marginMs = REFRESH_MARGIN_MS): number {
    return Math.min(Math.max(s.expiresAt - marginMs - now, 0), 2_147_000_000);
}

export function saveSession(token: string, expiresInSecs: number | null | undefined, refreshToken: string | null | undefined): void {
    const secs = typeof expiresInSecs === 'number' && expiresInSecs > 0 ? expiresInSecs : DEFAULT_ACCESS_SECS;
    const session: StoredSession = { token, expiresAt: Date.now() + secs * 1000, refreshToken: refreshToken || null };
    localStorage.setItem(KEY, JSON.stringify(session));
    lastEnd = null;
    announce();
}

/** Ends the session locally; `reason` tells the sign-in page what to say. */
export function endSession(reason: EndReason): void {
    const had = read() !== null;
    localStorage.removeItem(KEY);
    if (had) lastEnd = reason;
    if (had) announce(reason);
}

/** Calls `cb` when the session starts, is renewed or ends, here or in another tab. */
export function onSessionChange(cb: (reason?: EndReason) => void): () => void {
    const local = (e: Event) => cb((e as CustomEvent<EndReason | undefined>).detail);
    const other = (e: StorageEvent) => {
        if (e.key === KEY || e.key === null) cb(e.newValue ? undefined : 'signed_out');
    };
    window.addEventListener(SESSION_EVENT, local);
    window.addEventListener('storage', other);
    return () => {
        window.removeEventListener(SESSION_EVENT, local);
        window.removeEventListener('storage', other);
    };
}
