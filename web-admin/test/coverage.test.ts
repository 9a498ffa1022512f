// Every staff operation in openapi/openapi.json (operationIds starting with `admin`) is called
// somewhere in the app's source, through the generated SDK: a new admin endpoint without a
// screen fails here.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const src = fileURLToPath(new URL('../src', import.meta.url));
const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url)), 'utf8'));

function sources(dir: string, out: string[] = []): string[] {
    for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) sources(p, out);
        else if (/\.(ts|tsx)$/.test(name)) out.push(p);
    }
    return out;
}

it('coverage: every admin operationId is called from web-admin/src', () => {
    const ids: string[] = [];
    for (const item of Object.values(spec.paths) as Record<string, { operationId?: string }>[]) {
        for (const m of METHODS) {
            const id = item[m]?.operationId;
            if (id?.startsWith('admin')) ids.push(id);
        }
    }
    expect(ids.length).toBeGreaterThan(30);
    const code = sources(src)
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
    const missing = ids.filter((id) => !new RegExp(`\\.${id}(Raw)?\\(`).test(code)).sort();
    expect(missing, `admin operations without a screen:\n  ${missing.join('\n  ')}`).toEqual([]);
});

it('coverage: the app talks to the server only through the SDK', () => {
    const offenders = sources(src).filter((f) => /\bfetch\(|XMLHttpRequest|\/api\/v1\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
});
