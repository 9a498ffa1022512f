import { HeliumProblemError } from '@helium/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldErrors, isForbidden, problemCode, problemMessage } from '../src/api/errors';
import { hasKey, loadLang, translator, type Lang } from '../src/i18n';

function tx(lang: Lang) {
    const t = translator(lang);
    return (key: string, fallback: string, vars?: Record<string, string | number>) => (hasKey(key) ? t(key, vars) : fallback);
}

const problem = (status: number, body: Record<string, unknown>) => new HeliumProblemError(status, body);

beforeAll(() => loadLang('zh'));

describe('server errors as the screens show them', () => {
    it('a 403 permission_denied is recognised (shown as "not allowed", never a blank page)', () => {
        const denied = problem(403, { code: 'permission_denied', title: 'Forbidden', detail: 'this needs the `config.manage` permission' });
        expect(isForbidden(denied)).toBe(true);
        expect(problemMessage(denied, tx('en'))).toBe('Your role is not allowed to do this.');
        expect(problemMessage(denied, tx('zh'))).toBe('你的角色无权执行此操作。');
        // mfa_required is a 403 too, but it says what to do instead.
        const mfa = problem(403, { code: 'mfa_required', title: 'Forbidden' });
        expect(isForbidden(mfa)).toBe(false);
        expect(problemMessage(mfa, tx('en'))).toMatch(/two-factor/);
    });
    it('unknown codes fall back to the server’s detail, then title', () => {
        expect(problemMessage(problem(409, { code: 'brand_new_code', title: 'Conflict', detail: 'exact words' }), tx('en'))).toBe('exact words');
        expect(problemMessage(problem(409, { code: 'brand_new_code', title: 'Conflict' }), tx('en'))).toBe('Conflict');
    });
    it('429 says when to retry', () => {
        const limited = new HeliumProblemError(429, { code: 'rate_limited', title: 'Too Many Requests' }, { retryAfter: 7 });
        expect(problemMessage(limited, tx('en'))).toBe('Too many requests. Try again in 7 s.');
    });
    it('network failures are named', () => {
        expect(problemCode(new TypeError('Failed to fetch'))).toBe('network_error');
        expect(problemMessage(new TypeError('Failed to fetch'), tx('en'))).toBe('The server could not be reached.');
    });
    it('field errors are keyed by field and translated by code', () => {
        const invalid = problem(422, {
            code: 'validation_failed',
            title: 'Unprocessable',
            errors: [
                { field: 'password', code: 'too_short', message: 'at least 8 characters' },
                { field: 'value.jwt.issuer', code: 'required', message: 'must not be empty' },
                { field: 'email', code: 'odd_new_code', message: 'server words' },
            ],
        });
        expect(fieldErrors(invalid, tx('en'))).toEqual({ password: 'Too short.', 'value.jwt.issuer': 'Required.', email: 'server words' });
        expect(fieldErrors(invalid, tx('zh'), 'value')['jwt.issuer']).toBe('必填。');
        expect(fieldErrors(new Error('x'), tx('en'))).toEqual({});
    });
});
