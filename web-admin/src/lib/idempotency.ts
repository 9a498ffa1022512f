// Idempotency keys for the money-moving writes (wallet adjustments, mark paid, refunds, gift
// cards): one key per opened dialog, so a double click or a repeated submit after a lost answer
// replays the first request instead of posting twice. A definite refusal (a 4xx problem, e.g. a
// field error the operator then fixes) takes a fresh key, since the server refuses a key reused
// with a different body (422 idempotency_key_reused).

import { useCallback, useEffect, useRef, useState } from 'react';
import { asProblem } from '../api/errors';

/** A random UUID (v4); `crypto.randomUUID` outside secure contexts falls back to getRandomValues. */
export function newIdempotencyKey(): string {
    const c = globalThis.crypto;
    if (typeof c.randomUUID === 'function') {
        try {
            return c.randomUUID();
        } catch {
            // not a secure context: build one below
        }
    }
    const b = c.getRandomValues(new Uint8Array(16));
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether a failed request was definitely not applied, so a retry may use a new key. */
export function refusedForGood(error: unknown): boolean {
    const p = asProblem(error);
    return p !== null && p.status >= 400 && p.status < 500 && p.code !== 'idempotency_key_in_progress';
}

/**
 * The key of a dialog: a new one each time `opened` turns true; `settle(error)` after a failure
 * takes a new one when the server definitely refused the request.
 */
export function useIdempotencyKey(opened: boolean): { key: string; settle: (error: unknown) => void } {
    const [key, setKey] = useState(newIdempotencyKey);
    const wasOpen = useRef(opened);
    useEffect(() => {
        if (opened && !wasOpen.current) setKey(newIdempotencyKey());
        wasOpen.current = opened;
    }, [opened]);
    const settle = useCallback((error: unknown) => {
        if (refusedForGood(error)) setKey(newIdempotencyKey());
    }, []);
    return { key, settle };
}
