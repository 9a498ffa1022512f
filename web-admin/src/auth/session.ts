// The staff session: the access token of adminLogin / adminLoginMfa and when it expires. Staff
// tokens are not refreshed (API.md §2.2): when one expires or the server answers 401, the
// session ends and the app goes back to sign-in once (no loop: sign-in needs no token).

const KEY = 'helium.admin.session';
export const SESSION_EVENT = 'helium:session';

export interface StoredSession {
    token: string;
    /** Epoch milliseconds. */
    expiresAt: number;
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
        return { token: s.token, expiresAt: s.expiresAt };
    } catch {
        return null;
    }
}

function announce(reason?: EndReason): void {
    window.dispatchEvent(new CustomEvent(SESSION_EVENT, { detail: reason }));
}

/** The live session, or null (an expired one is dropped). */
export function currentSession(now = Date.now()): StoredSession | null {
    const s = read();
    if (s && s.expiresAt <= now) {
        localStorage.removeItem(KEY);
        return null;
    }
    return s;
}

export function getToken(): string | undefined {
    return currentSession()?.token;
}

export function saveSession(token: string, expiresInSecs: number | null | undefined): void {
    // Without a lifetime, assume the admin-jwt default (10 days); a 401 ends it earlier anyway.
    const secs = typeof expiresInSecs === 'number' && expiresInSecs > 0 ? expiresInSecs : 864_000;
    localStorage.setItem(KEY, JSON.stringify({ token, expiresAt: Date.now() + secs * 1000 }));
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

/** Calls `cb` when the session starts or ends, here or in another tab. */
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
