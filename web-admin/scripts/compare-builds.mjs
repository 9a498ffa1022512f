// Compares the committed build with a fresh one: same files, same bytes (.br twins compared
// by their decompressed content). Exit 1 with the differences otherwise.
//   node scripts/compare-builds.mjs dist /tmp/fresh/dist

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const [committed, fresh] = process.argv.slice(2);

function list(root, dir = root, out = new Map()) {
    for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) list(root, p, out);
        else out.set(path.relative(root, p), p);
    }
    return out;
}

const content = (file) => (file.endsWith('.br') ? brotliDecompressSync(readFileSync(file)) : readFileSync(file));
const a = list(committed);
const b = list(fresh);
const problems = [];
for (const f of a.keys()) if (!b.has(f)) problems.push(`only in the committed build: ${f}`);
for (const f of b.keys()) if (!a.has(f)) problems.push(`missing from the committed build: ${f}`);
for (const [f, p] of a) {
    if (b.has(f) && !content(p).equals(content(b.get(f)))) problems.push(`differs: ${f}`);
}
if (problems.length) {
    console.error(`web-admin/dist is stale: run deploy/web-admin-build.sh and commit web-admin/dist\n  ${problems.join('\n  ')}`);
    process.exit(1);
}
console.log(`web-admin/dist matches the sources (${a.size} files)`);
