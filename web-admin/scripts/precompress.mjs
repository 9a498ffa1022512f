// Writes a .br twin of each of the build's text files (helium sends it to clients that accept
// brotli, every current browser; api/src/http/admin_spa.rs). Only brotli: a gzip twin would
// double the committed build for no real client.
//   node scripts/precompress.mjs dist

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const root = process.argv[2] ?? 'dist';
const TEXT = /\.(html|js|mjs|css|svg|json|txt|webmanifest)$/;

function* files(dir) {
    for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) yield* files(p);
        else yield p;
    }
}

let count = 0;
for (const file of files(root)) {
    if (!TEXT.test(file)) continue;
    const data = readFileSync(file);
    if (data.length < 512) continue;
    writeFileSync(
        `${file}.br`,
        brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
    );
    count += 1;
}
console.log(`precompress: ${count} files in ${root}`);
