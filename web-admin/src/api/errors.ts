// Turning errors from the SDK into what the screens show: a translated message per problem
// code (falling back to the server's own words), field errors keyed by field, and 403s
// recognised as such.

import { isHeliumProblemError, type HeliumProblemError } from '@helium/sdk';
import type { Vars } from '../i18n';

type Tx = (key: string, fallback: string, vars?: Vars) => string;

export function asProblem(e: unknown): HeliumProblemError | null {
    return isHeliumProblemError(e) ? e : null;
}

export function problemCode(e: unknown): string {
    const p = asProblem(e);
    if (p) return p.code;
    return e instanceof TypeError || (e instanceof Error && e.name === 'FetchError') ? 'network_error' : 'internal_error';
}

/** One sentence for an error: `error.<code>`, else the server's detail or title. */
export function problemMessage(e: unknown, tx: Tx): string {
    const p = asProblem(e);
    const code = problemCode(e);
    const vars: Vars = { retry: p?.retryAfter ?? '' };
    const fallback = p?.detail ?? p?.title ?? (e instanceof Error ? e.message : String(e));
    return tx(`error.${code}`, fallback, vars);
}

/** `{ field: message }` of a 422 (`strip` removes a prefix such as `value` from field paths). */
export function fieldErrors(e: unknown, tx: Tx, strip?: string): Record<string, string> {
    const p = asProblem(e);
    const out: Record<string, string> = {};
    if (!p) return out;
    for (const fe of p.errors) {
        let field = fe.field;
        if (strip && field.startsWith(`${strip}.`)) field = field.slice(strip.length + 1);
        out[field] ??= tx(`field.${fe.code}`, fe.message || fe.code);
    }
    return out;
}

export function isForbidden(e: unknown): boolean {
    const p = asProblem(e);
    return p !== null && p.status === 403 && p.code === 'permission_denied';
}

export function isStatus(e: unknown, status: number): boolean {
    return asProblem(e)?.status === status;
}
