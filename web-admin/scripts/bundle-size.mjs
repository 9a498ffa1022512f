// The initial load of the app shell: index.html plus every script, stylesheet and module
// preload it references, gzip-compressed (level 9, as a typical server would send them).
// Lazy screens and the chart library are not part of it. Fails above the budget (KB).
//   node scripts/bundle-size.mjs dist 300

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const [dist = 'dist', budget = '300'] = process.argv.slice(2);
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/admin\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
let total = gz(Buffer.from(html));
const rows = [['index.html', total]];
for (const ref of refs) {
    const n = gz(readFileSync(path.join(dist, ref)));
    rows.push([ref, n]);
    total += n;
}
for (const [f, n] of rows) console.log(`  ${(n / 1024).toFixed(1).padStart(7)} KB  ${f}`);
const kb = total / 1024;
console.log(`initial load (gzip): ${kb.toFixed(1)} KB (budget ${budget} KB)`);
if (kb > Number(budget)) {
    console.error(`web-admin: the initial load is over budget; lazy-load more screens`);
    process.exit(1);
}
