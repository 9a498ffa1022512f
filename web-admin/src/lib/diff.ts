// Before/after comparison of audit rows: nested objects flattened to dotted paths, arrays
// and scalars compared as whole values.

export type ChangeKind = 'added' | 'removed' | 'changed' | 'same';

export interface Change {
    path: string;
    kind: ChangeKind;
    before?: unknown;
    after?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
        for (const [k, v] of Object.entries(value)) {
            flatten(v, prefix ? `${prefix}.${k}` : k, out);
        }
    } else if (prefix) {
        out.set(prefix, value);
    }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every path of `before` ∪ `after`, sorted, with what happened to it. */
export function diffChanges(before: unknown, after: unknown, includeSame = false): Change[] {
    const b = new Map<string, unknown>();
    const a = new Map<string, unknown>();
    flatten(before ?? {}, '', b);
    flatten(after ?? {}, '', a);
    const paths = [...new Set([...b.keys(), ...a.keys()])].sort();
    const changes: Change[] = [];
    for (const path of paths) {
        const inB = b.has(path);
        const inA = a.has(path);
        if (inB && !inA) changes.push({ path, kind: 'removed', before: b.get(path) });
        else if (!inB && inA) changes.push({ path, kind: 'added', after: a.get(path) });
        else if (!same(b.get(path), a.get(path))) changes.push({ path, kind: 'changed', before: b.get(path), after: a.get(path) });
        else if (includeSame) changes.push({ path, kind: 'same', before: b.get(path), after: a.get(path) });
    }
    return changes;
}

/** A compact one-line rendering of a JSON value for the diff table. */
export function showValue(v: unknown): string {
    if (v === undefined) return '';
    if (typeof v === 'string') return v;
    return JSON.stringify(v);
}
