// Renewing the staff access token with its single-use refresh token, once for everybody:
// concurrent callers in this tab share one flight, and other tabs wait on a lock and then see
// the token the first one stored (presenting a refresh token twice would make the server
// revoke the whole session, API.md §2.2). Kept free of browser globals for the unit tests.

import type { StoredSession } from './session';

export interface RefreshAnswer {
    accessToken?: string | null;
    expiresIn?: number | null;
    refreshToken?: string | null;
}

export interface RenewDeps {
    /** The stored session (shared by every tab). */
    session: () => StoredSession | null;
    /** adminRefreshToken. */
    refresh: (refreshToken: string) => Promise<RefreshAnswer>;
    save: (token: string, expiresIn: number | null | undefined, refreshToken: string | null | undefined) => void;
    /** The session is over: forget it (and go back to sign-in). */
    end: () => void;
    /** Whether a failed renewal means the session is over (401, 403) rather than "try later". */
    refused: (e: unknown) => boolean;
    /** Runs `fn` while no other tab renews (a Web Lock); without one, just runs it. */
    lock: <T>(fn: () => Promise<T>) => Promise<T>;
    /** Whether the stored access token should be renewed now. */
    stale: (s: StoredSession) => boolean;
}

/**
 * `renew(rejected?)`: a usable access token, or null when the session is over. `rejected` is
 * the token a request was refused with; without it, a token that is not stale is kept.
 * Network and server failures reject (the session stays; the caller's request fails).
 */
export function renewer(deps: RenewDeps): (rejected?: string) => Promise<string | null> {
    let flight: Promise<string | null> | null = null;

    const once = async (rejected?: string): Promise<string | null> => {
        const s = deps.session();
        if (!s) return null;
        // Renewed meanwhile (an earlier flight here, or another tab while we waited for the lock).
        if (s.token !== rejected && !deps.stale(s)) return s.token;
        if (!s.refreshToken) {
            deps.end();
            return null;
        }
        let answer: RefreshAnswer;
        try {
            answer = await deps.refresh(s.refreshToken);
        } catch (e) {
            if (deps.refused(e)) {
                deps.end();
                return null;
            }
            throw e;
        }
        if (!answer.accessToken) {
            deps.end();
            return null;
        }
        deps.save(answer.accessToken, answer.expiresIn, answer.refreshToken);
        return answer.accessToken;
    };

    return (rejected?: string) => {
        flight ??= deps.lock(() => once(rejected)).finally(() => {
            flight = null;
        });
        return flight;
    };
}
