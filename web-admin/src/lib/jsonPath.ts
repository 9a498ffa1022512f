// Paths into JSON documents as the API names them in `errors[].field` (API.md §1: a JSON path
// such as `items[0].amount`; config errors are prefixed `value.`), and immutable updates.

export type PathSeg = string | number;

export function pathToString(path: readonly PathSeg[]): string {
    let out = '';
    for (const seg of path) {
        if (typeof seg === 'number') out += `[${seg}]`;
        else out += out ? `.${seg}` : seg;
    }
    return out;
}

export function parsePath(text: string): PathSeg[] {
    const segs: PathSeg[] = [];
    const re = /([^.[\]]+)|\[(\d+)\]/g;
    for (const m of text.matchAll(re)) {
        if (m[2] !== undefined) segs.push(Number(m[2]));
        else if (m[1] !== undefined) segs.push(m[1]);
    }
    return segs;
}

export interface FieldErrorLike {
    field: string;
    code: string;
    message: string;
}

/** Field errors keyed by path, with `strip` (e.g. `value`) removed from the front. */
export function errorsByPath(errors: readonly FieldErrorLike[], strip?: string): Map<string, FieldErrorLike[]> {
    const out = new Map<string, FieldErrorLike[]>();
    for (const e of errors) {
        let field = e.field;
        if (strip && (field === strip || field.startsWith(`${strip}.`) || field.startsWith(`${strip}[`))) {
            field = field.slice(strip.length).replace(/^\./, '');
        }
        out.set(field, [...(out.get(field) ?? []), e]);
    }
    return out;
}

/** A copy of `root` with the value at `path` replaced. */
export function setAtPath(root: unknown, path: readonly PathSeg[], value: unknown): unknown {
    if (path.length === 0) return value;
    const [head, ...rest] = path;
    if (typeof head === 'number') {
        const arr = Array.isArray(root) ? [...root] : [];
        arr[head] = setAtPath(arr[head], rest, value);
        return arr;
    }
    const obj = typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
    obj[head as string] = setAtPath(obj[head as string], rest, value);
    return obj;
}

export function getAtPath(root: unknown, path: readonly PathSeg[]): unknown {
    let cur: unknown = root;
    for (const seg of path) {
        if (cur === null || typeof cur !== 'object') return undefined;
        cur = (cur as Record<string | number, unknown>)[seg];
    }
    return cur;
}
