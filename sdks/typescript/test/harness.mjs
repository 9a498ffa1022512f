// Test harness: runs a real helium server (WORK_MODE=all) against a throw-away
// PostgreSQL database for the SDK tests.
//
//   import { useHeliumServer } from './harness.mjs';
//   const server = useHeliumServer();          // registers before/after hooks
//   test('getMeta: ...', async () => { ... server.url ... });
//
//   useHeliumServer({ env: { RATE_LIMIT_AUTH: '1000/60' } })  // extra server env
//   await server.sql('SELECT 1')                               // psql -tA on the test database
//   openSealed(server.dataKey, eventId, payload.sealed)        // the sealed secrets of an e-mail
//   createHeliumClient({ baseUrl, headers: clientAddressHeaders() })  // a client of its own address
//
// The server runs with its own DATA_ENCRYPTION_KEY (random per server, `handle.dataKey`), so
// tests can open what it seals (the links and codes of `email.requested` events), and trusts
// 127.0.0.1 as a proxy (TRUSTED_PROXIES): a test client that sends X-Forwarded-For is seen
// as that address, which is how tests stand in for many clients without running into the
// per-address caps (SECURITY.md §1.9) that one shared address would.
//
// Environment (all optional):
//   HELIUM_BIN                  server binary (default: <repo>/target/debug/helium)
//   PGHOST/PGPORT/PGUSER/PGPASSWORD   PostgreSQL admin connection (127.0.0.1/5432/postgres)
//   HELIUM_TEST_REDIS_URL       default redis://127.0.0.1:6379
//   HELIUM_TEST_MQ_URL          default amqp://guest:guest@127.0.0.1:5672/%2f
//   HELIUM_TEST_RUST_LOG        default info
//   HELIUM_TEST_READY_TIMEOUT_MS  default 60000
//   HELIUM_TEST_VERBOSE=1       stream the server's output to stderr

import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

const execFileP = promisify(execFile);

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(packageDir, '..', '..');
export const specPath = path.join(repoRoot, 'openapi', 'openapi.json');

/** The committed OpenAPI document. */
export function loadSpec() {
    return JSON.parse(readFileSync(specPath, 'utf8'));
}

/**
 * Opens a value the server sealed (infra/src/identity/seal.rs): `v1.` + base64url (no
 * padding) of a 24-byte nonce followed by the XChaCha20-Poly1305 ciphertext and tag, under
 * `key` (the 32-byte data key), authenticated with `aad` (a Buffer, or a UUID string whose 16
 * raw bytes are the binding, as for e-mail events bound to their outbox id). Throws when the
 * value does not open with that key and binding.
 */
export function openSealed(key, aad, sealed) {
    assert.equal(typeof sealed, 'string', 'a sealed value should be a string');
    assert.ok(sealed.startsWith('v1.'), `a sealed value should start with v1., got ${sealed.slice(0, 12)}…`);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    assert.ok(raw.length > 24 + 16, 'a sealed value should hold a nonce, a ciphertext and a tag');
    const binding = typeof aad === 'string' ? uuidBytes(aad) : aad;
    const cipher = xchacha20poly1305(new Uint8Array(key), raw.subarray(0, 24), new Uint8Array(binding));
    return Buffer.from(cipher.decrypt(raw.subarray(24)));
}

/** The 16 raw bytes of a UUID in its text form. */
export function uuidBytes(uuid) {
    const hex = uuid.replaceAll('-', '');
    assert.match(hex, /^[0-9a-f]{32}$/i, `not a UUID: ${uuid}`);
    return Buffer.from(hex, 'hex');
}

/**
 * A random client address in 198.18.0.0/15 (RFC 2544, never routed), for X-Forwarded-For: the
 * harness server trusts 127.0.0.1 as a proxy, so each address is a client of its own.
 */
export function randomClientAddress() {
    const n = randomInt(1, 2 ** 17 - 1);
    return `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

/** Headers that make a test client appear as `address` (default: a fresh random one). */
export function clientAddressHeaders(address = randomClientAddress()) {
    return { 'X-Forwarded-For': address };
}

export function heliumBin() {
    const bin = process.env.HELIUM_BIN
        ? path.resolve(process.env.HELIUM_BIN)
        : path.join(repoRoot, 'target', 'debug', 'helium');
    if (!existsSync(bin)) {
        throw new Error(
            `helium binary not found at ${bin}: build it (cargo build -p helium-api --bin helium) or set HELIUM_BIN`,
        );
    }
    return bin;
}

const pg = {
    host: process.env.PGHOST || '127.0.0.1',
    port: process.env.PGPORT || '5432',
    user: process.env.PGUSER || 'postgres',
    password: process.env.PGPASSWORD || '',
};

async function psql(sql, database = 'postgres') {
    try {
        const { stdout } = await execFileP(
            'psql',
            ['-h', pg.host, '-p', pg.port, '-U', pg.user, '-d', database, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql],
            { env: { ...process.env, PGCONNECT_TIMEOUT: '10' }, timeout: 60_000 },
        );
        return stdout;
    } catch (err) {
        throw new Error(`psql failed for ${JSON.stringify(sql)}: ${err.stderr || err.message}`);
    }
}

function databaseUrl(db) {
    const auth = pg.password
        ? `${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}`
        : encodeURIComponent(pg.user);
    return `postgres://${auth}@${pg.host}:${pg.port}/${db}`;
}

/** Distinct free TCP ports on 127.0.0.1 (all held open until every one is known). */
export async function freePorts(count) {
    const servers = [];
    try {
        for (let i = 0; i < count; i++) {
            const srv = net.createServer();
            servers.push(srv);
            await new Promise((resolve, reject) => {
                srv.once('error', reject);
                srv.listen(0, '127.0.0.1', resolve);
            });
        }
        return servers.map((s) => s.address().port);
    } finally {
        await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
    }
}

const STOP_TIMEOUT_MS = 20_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Bounded ring of the server's output, shown when something goes wrong. */
class OutputTail {
    constructor(limit = 256 * 1024) {
        this.limit = limit;
        this.text = '';
    }
    push(chunk) {
        this.text += chunk.toString('utf8');
        if (this.text.length > this.limit) {
            this.text = this.text.slice(this.text.length - this.limit);
        }
    }
}

/**
 * Starts helium in `all` mode on free ports with a fresh database.
 * `options.env` adds to / overrides the server's environment.
 * Returns { url, healthUrl, grpcAddr, database, redisKeyPrefix, dataKey, sql(query), output(), stop() };
 * `dataKey` is the server's DATA_ENCRYPTION_KEY (32 bytes; see openSealed).
 * `sql(query)` runs one statement on the server's database (psql -tA) and returns its
 * output with the trailing newline removed (rows on lines, columns separated by `|`).
 */
export async function startHeliumServer(options = {}) {
    const bin = heliumBin();
    const id = randomBytes(6).toString('hex');
    const database = `helium_sdk_${id}`;
    const redisKeyPrefix = `sdktest:${id}:`;
    const redisUrl = process.env.HELIUM_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
    const [httpPort, grpcPort, healthPort] = await freePorts(3);

    await psql(`CREATE DATABASE "${database}"`);
    let dropped = false;
    const dropDatabase = async () => {
        if (dropped) return;
        dropped = true;
        await psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    };

    // The data key seals TOTP seeds and e-mailed secrets; tests open the latter with it.
    const dataKeyText = options.env?.DATA_ENCRYPTION_KEY ?? randomBytes(32).toString('base64');
    const dataKey = Buffer.from(dataKeyText, 'base64');
    assert.equal(dataKey.length, 32, 'DATA_ENCRYPTION_KEY should be 32 bytes, standard base64');

    const tail = new OutputTail();
    const verbose = process.env.HELIUM_TEST_VERBOSE === '1';
    const env = {
        ...process.env,
        WORK_MODE: 'all',
        DATABASE_URL: databaseUrl(database),
        REDIS_URL: redisUrl,
        MQ_URL: process.env.HELIUM_TEST_MQ_URL || 'amqp://guest:guest@127.0.0.1:5672/%2f',
        LISTEN_ADDR: `127.0.0.1:${httpPort}`,
        GRPC_LISTEN_ADDR: `127.0.0.1:${grpcPort}`,
        HEALTH_CHECK_PORT: String(healthPort),
        REDIS_KEY_PREFIX: redisKeyPrefix,
        RUST_LOG: process.env.HELIUM_TEST_RUST_LOG || 'info',
        NO_COLOR: '1',
        DATA_ENCRYPTION_KEY: dataKeyText,
        TRUSTED_PROXIES: '127.0.0.1',
        ...(options.env ?? {}),
    };

    let child;
    try {
        child = spawn(bin, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
        await dropDatabase();
        throw err;
    }
    for (const stream of [child.stdout, child.stderr]) {
        stream.on('data', (chunk) => {
            tail.push(chunk);
            if (verbose) process.stderr.write(chunk);
        });
    }
    const exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    let exitInfo;
    exited.then((info) => {
        exitInfo = info;
    });
    const killOnExit = () => {
        if (exitInfo === undefined) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);

    const url = `http://127.0.0.1:${httpPort}`;
    const healthUrl = `http://127.0.0.1:${healthPort}/readyz`;
    const timeoutMs = Number(process.env.HELIUM_TEST_READY_TIMEOUT_MS || 60_000);
    const deadline = Date.now() + timeoutMs;
    let lastStatus = 'no answer';
    for (;;) {
        if (exitInfo !== undefined) {
            await dropDatabase().catch(() => {});
            throw new Error(
                `helium exited before becoming ready (code ${exitInfo.code}, signal ${exitInfo.signal}` +
                    `${exitInfo.error ? `, ${exitInfo.error.message}` : ''}). Server output:\n${tail.text}`,
            );
        }
        try {
            const res = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
            await res.arrayBuffer();
            if (res.status === 200) break;
            lastStatus = `HTTP ${res.status}`;
        } catch (err) {
            lastStatus = err.cause?.code || err.name || String(err);
        }
        if (Date.now() > deadline) {
            child.kill('SIGKILL');
            await exited;
            await dropDatabase().catch(() => {});
            throw new Error(
                `helium not ready after ${timeoutMs} ms (${healthUrl}: ${lastStatus}). Server output:\n${tail.text}`,
            );
        }
        await sleep(250);
    }

    let stopped;
    const stop = () => {
        stopped ??= (async () => {
            let result;
            if (exitInfo !== undefined) {
                result = { ...exitInfo, alreadyExited: true };
            } else {
                child.kill('SIGTERM');
                let timer;
                const timeout = new Promise((resolve) => {
                    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
                });
                const outcome = await Promise.race([exited, timeout]);
                clearTimeout(timer);
                if (outcome === 'timeout') {
                    child.kill('SIGKILL');
                    result = { ...(await exited), timedOut: true };
                } else {
                    result = outcome;
                }
            }
            process.removeListener('exit', killOnExit);
            await dropDatabase();
            await cleanupRedis(redisUrl, redisKeyPrefix);
            return result;
        })();
        return stopped;
    };

    return {
        url,
        healthUrl,
        grpcAddr: `127.0.0.1:${grpcPort}`,
        database,
        redisKeyPrefix,
        dataKey,
        sql: async (query) => (await psql(query, database)).replace(/\n$/, ''),
        output: () => tail.text,
        stop,
    };
}

/** Best effort: remove the keys this server wrote under its private prefix. */
async function cleanupRedis(redisUrl, prefix) {
    try {
        const { stdout } = await execFileP('redis-cli', ['-u', redisUrl, '--scan', '--pattern', `${prefix}*`], {
            timeout: 10_000,
        });
        const keys = stdout.split('\n').filter(Boolean);
        for (let i = 0; i < keys.length; i += 500) {
            await execFileP('redis-cli', ['-u', redisUrl, 'UNLINK', ...keys.slice(i, i + 500)], { timeout: 10_000 });
        }
    } catch {
        // redis-cli missing or Redis down: keys are namespaced per run, nothing else to do.
    }
}

/**
 * Registers node:test hooks: starts a server before the file's tests and, after them,
 * SIGTERMs it and asserts it exited with code 0 (then drops the database).
 * Returns an object whose `url` etc. are filled in once the server is ready.
 * `options` are passed to startHeliumServer (e.g. `{ env: { RATE_LIMIT_AUTH: '1000/60' } }`).
 *
 * Node 20 runs a file's top-level before() hooks concurrently, so a file's own before() hook
 * that needs the server must `await handle.ready` (resolves to the handle once it is filled
 * in; rejects if the server could not start).
 */
export function useHeliumServer(options = {}) {
    let markReady;
    let markFailed;
    const ready = new Promise((resolve, reject) => {
        markReady = resolve;
        markFailed = reject;
    });
    ready.catch(() => {}); // reported by the hook below; only awaited by files that need it
    const handle = { ready };
    let server;
    before(async () => {
        try {
            server = await startHeliumServer(options);
        } catch (err) {
            markFailed(err);
            throw err;
        }
        Object.assign(handle, server);
        markReady(handle);
    });
    after(async () => {
        if (!server) return;
        const result = await server.stop();
        assert.ok(
            !result.timedOut && !result.alreadyExited && result.code === 0,
            `helium should exit with code 0 on SIGTERM, got ${JSON.stringify(result)}. Server output:\n${server.output()}`,
        );
    });
    return handle;
}
