import { describe, expect, it } from 'vitest';
import { diffChanges, showValue } from '../src/lib/diff';
import { grantableRoles } from '../src/lib/domain';
import { errorsByPath, getAtPath, parsePath, pathToString, setAtPath } from '../src/lib/jsonPath';
import { safeNext } from '../src/lib/redirect';

describe('audit diff', () => {
    it('lists changed, added and removed fields by dotted path', () => {
        const before = { status: 'active', profile: { name: 'A', tags: ['x'] }, gone: 1 };
        const after = { status: 'banned', profile: { name: 'A', tags: ['x', 'y'] }, added: true };
        expect(diffChanges(before, after)).toEqual([
            { path: 'added', kind: 'added', after: true },
            { path: 'gone', kind: 'removed', before: 1 },
            { path: 'profile.tags', kind: 'changed', before: ['x'], after: ['x', 'y'] },
            { path: 'status', kind: 'changed', before: 'active', after: 'banned' },
        ]);
    });
    it('handles a missing side (create, delete)', () => {
        expect(diffChanges(null, { a: 1 })).toEqual([{ path: 'a', kind: 'added', after: 1 }]);
        expect(diffChanges({ a: 1 }, undefined)).toEqual([{ path: 'a', kind: 'removed', before: 1 }]);
        expect(diffChanges({ a: 1 }, { a: 1 })).toEqual([]);
        expect(diffChanges({ a: 1 }, { a: 1 }, true)).toEqual([{ path: 'a', kind: 'same', before: 1, after: 1 }]);
    });
    it('renders values compactly', () => {
        expect(showValue('x')).toBe('x');
        expect(showValue(null)).toBe('null');
        expect(showValue({ a: [1] })).toBe('{"a":[1]}');
        expect(showValue(undefined)).toBe('');
    });
});

describe('JSON paths of field errors', () => {
    it('round-trips paths with indexes', () => {
        expect(pathToString(['providers', 0, 'name'])).toBe('providers[0].name');
        expect(parsePath('providers[0].name')).toEqual(['providers', 0, 'name']);
        expect(parsePath('value.jwt.secret')).toEqual(['value', 'jwt', 'secret']);
    });
    it('keys errors by path with the `value` prefix removed', () => {
        const m = errorsByPath(
            [
                { field: 'value.jwt.access_token_expiration', code: 'out_of_range', message: 'must be greater than 0' },
                { field: 'value.mfa_required_roles[0]', code: 'invalid_enum', message: 'not a staff role' },
                { field: 'value', code: 'invalid_type', message: 'expected an object' },
            ],
            'value',
        );
        expect([...m.keys()]).toEqual(['jwt.access_token_expiration', 'mfa_required_roles[0]', '']);
    });
    it('updates nested values without touching the original', () => {
        const doc = { jwt: { issuer: 'a' }, list: [{ n: 1 }] };
        const next = setAtPath(doc, ['list', 0, 'n'], 2);
        expect(getAtPath(next, ['list', 0, 'n'])).toBe(2);
        expect(doc.list[0]?.n).toBe(1);
        expect(getAtPath(setAtPath(doc, ['jwt', 'issuer'], 'b'), ['jwt', 'issuer'])).toBe('b');
    });
});

describe('roles and redirects', () => {
    it('grants only roles at or below your own', () => {
        expect(grantableRoles('super_admin')).toEqual(['super_admin', 'moderator', 'customer_support', 'support_bot']);
        expect(grantableRoles('customer_support')).toEqual(['customer_support', 'support_bot']);
        expect(grantableRoles('nobody')).toEqual([]);
    });
    it('returns to same-app paths only after sign-in', () => {
        expect(safeNext('/customers?q=a')).toBe('/customers?q=a');
        expect(safeNext('//evil.example')).toBe('/');
        expect(safeNext('/\\evil.example')).toBe('/');
        expect(safeNext('https://evil.example')).toBe('/');
        expect(safeNext(null)).toBe('/');
    });
});
