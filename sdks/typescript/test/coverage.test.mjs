// Every operationId in openapi/openapi.json must have a test named "<operationId>: ...",
// and every tag a test named "<tag> error path: ..." in some test/*.test.mjs file.
// Operations marked `x-helium-sdk: false` (the node-agent API and subscription documents,
// which proxy software calls, not apps) are tested in Rust (api/tests/it/telecom_agents.rs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpec, specPath } from './harness.mjs';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const testDir = path.dirname(fileURLToPath(import.meta.url));

function specInventory() {
    const spec = loadSpec();
    const operationIds = new Set();
    const tags = new Set((spec.tags ?? []).map((t) => t.name));
    for (const [route, item] of Object.entries(spec.paths ?? {})) {
        for (const method of HTTP_METHODS) {
            const op = item?.[method];
            if (!op || op['x-helium-sdk'] === false) continue;
            assert.ok(op.operationId, `${method.toUpperCase()} ${route} has no operationId`);
            operationIds.add(op.operationId);
            for (const tag of op.tags ?? []) tags.add(tag);
        }
    }
    return { operationIds: [...operationIds].sort(), tags: [...tags].sort() };
}

/** Names passed as the first (string literal) argument of test()/it()/describe()/suite(). */
function testNames() {
    const names = [];
    const call = /\b(?:test|it|describe|suite)(?:\.(?:only|skip|todo))?\s*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
    for (const file of readdirSync(testDir).filter((f) => f.endsWith('.test.mjs')).sort()) {
        const source = readFileSync(path.join(testDir, file), 'utf8');
        for (const match of source.matchAll(call)) {
            names.push(match[2]);
        }
    }
    return names;
}

test('coverage: every operationId has a "<operationId>:" test and every tag a "<tag> error path:" test', () => {
    const { operationIds, tags } = specInventory();
    assert.ok(operationIds.length > 0, `no operations found in ${specPath}`);
    const names = testNames();
    const missingOps = operationIds.filter((id) => !names.some((n) => n.startsWith(`${id}:`)));
    const missingTags = tags.filter((tag) => !names.some((n) => n.startsWith(`${tag} error path:`)));
    const problems = [
        ...missingOps.map((id) => `operationId ${id}: no test named "${id}: ..."`),
        ...missingTags.map((tag) => `tag ${tag}: no test named "${tag} error path: ..."`),
    ];
    assert.deepEqual(problems, [], `untested API surface:\n  ${problems.join('\n  ')}`);
});
