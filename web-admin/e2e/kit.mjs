// Browser-test plumbing: a live helium (the SDK tests' harness) whose PUBLIC_URL is its own
// address, so the links that helium-cli prints and the invitation e-mail carries open the SPA
// as they would in production; Debian's Chromium driven by playwright-core (no browser
// download); axe-core; screenshots; RFC 6238 codes; e-mails read from the outbox.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { freePorts, heliumBin, startHeliumServer } from '../../sdks/typescript/test/harness.mjs';

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);
export const webAdminDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifacts = path.resolve(process.env.WEB_ADMIN_ARTIFACTS ?? path.join(webAdminDir, 'test-artifacts'));
export const PASSWORD = 'Staff-Correct-Horse-9-Battery';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------ server

/** helium in `all` mode on free ports, PUBLIC_URL = its own origin; `{ ...server, url }`. */
export async function startServer() {
    const [port] = await freePorts(1);
    const url = `http://127.0.0.1:${port}`;
    const server = await startHeliumServer({
        env: {
            LISTEN_ADDR: `127.0.0.1:${port}`,
            PUBLIC_URL: url,
            RATE_LIMIT_AUTH: '1000/60',
            RATE_LIMIT_WRITE: '1000/60',
            RATE_LIMIT_READ: '5000/60',
            MQ_PREFIX: 'webadmin_e2e',
        },
    });
    return { ...server, url };
}

function databaseUrl(server) {
    const host = process.env.PGHOST || '127.0.0.1';
    const port = process.env.PGPORT || '5432';
    const user = encodeURIComponent(process.env.PGUSER || 'postgres');
    return `postgres://${user}@${host}:${port}/${server.database}`;
}

/** `helium-cli <args>` against the server's database and Redis prefix, with its PUBLIC_URL. */
export async function cli(server, args) {
    const bin = process.env.HELIUM_CLI_BIN ?? path.join(path.dirname(heliumBin()), 'helium-cli');
    const { stdout } = await execFileP(bin, args, {
        env: {
            ...process.env,
            DATABASE_URL: databaseUrl(server),
            REDIS_URL: process.env.HELIUM_TEST_REDIS_URL || 'redis://127.0.0.1:6379',
            REDIS_KEY_PREFIX: server.redisKeyPrefix,
            PUBLIC_URL: server.url,
            NO_COLOR: '1',
        },
        timeout: 60_000,
    });
    return stdout;
}

const sqlString = (v) => `'${String(v).replaceAll("'", "''")}'`;

/** The context of the newest `email.requested` event to `to` with `template`. */
export async function mail(server, to, template) {
    const q =
        "SELECT payload->'context' FROM outbox WHERE event_type = 'email.requested' " +
        `AND payload->>'to' = ${sqlString(to)} AND payload->>'template' = ${sqlString(template)} ORDER BY occurred_at DESC LIMIT 1`;
    for (let i = 0; i < 100; i++) {
        const out = await server.sql(q);
        if (out) return JSON.parse(out);
        await sleep(100);
    }
    assert.fail(`no ${template} e-mail to ${to}`);
}

export function uniqueEmail(label, domain = 'staff.test') {
    return `${label}-${randomBytes(5).toString('hex')}@${domain}`;
}

/**
 * A customer signed up through the public API (register link from the outbox, then
 * completeRegistration): the test's own setup, not the SPA's traffic.
 */
export async function signUpCustomer(server, label = 'customer') {
    const email = uniqueEmail(label, 'example.test');
    const post = async (p, body) => {
        const res = await fetch(`${server.url}${p}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (e2e) HeliumPhone/1.0' },
            body: JSON.stringify(body),
        });
        const text = await res.text();
        assert.ok(res.ok, `${p}: ${res.status} ${text}`);
        return JSON.parse(text);
    };
    await post('/api/v1/auth/register', { email });
    const { link } = await mail(server, email, 'register_magic_link');
    const token = new URL(link).searchParams.get('token');
    const done = await post('/api/v1/auth/register/complete', { token, password: 'Correct-Horse-7-Battery' });
    return { email, id: done.account.id };
}

// ------------------------------------------------------------------------------ TOTP

function base32(text) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = 0;
    let value = 0;
    const out = [];
    for (const ch of text.replace(/=+$/, '').toUpperCase()) {
        value = (value << 5) | alphabet.indexOf(ch);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push((value >>> bits) & 0xff);
        }
    }
    return Buffer.from(out);
}

export function hotp(key, counter) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(counter));
    const mac = createHmac('sha1', key).update(msg).digest();
    const off = mac[mac.length - 1] & 0x0f;
    return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * An authenticator app. The server accepts the previous, current and next 30 s step, each
 * once per account: hand out the earliest unused step of that window (waiting only when all
 * three are used), keeping clear of a step boundary.
 */
export class Authenticator {
    constructor(secret) {
        this.key = base32(secret);
        this.last = -Infinity;
    }
    async code() {
        for (;;) {
            const now = Date.now();
            const step = Math.floor(now / 30_000);
            const into = now % 30_000;
            const window = [into < 20_000 ? step - 1 : null, step, step + 1].filter((s) => s !== null && s > this.last);
            if (window.length) {
                this.last = window[0];
                return hotp(this.key, this.last);
            }
            await sleep(30_000 - into + 300);
        }
    }
}

// ------------------------------------------------------------------------------ browser

const CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

/**
 * Debian's Chromium (CHROMIUM_BIN, default /usr/bin/chromium). playwright-core gives every
 * launch a fresh, temporary --user-data-dir of its own.
 */
export async function launchBrowser() {
    const executablePath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
    assert.ok(existsSync(executablePath), `Chromium not found at ${executablePath} (deploy/web-admin-tests.sh installs it)`);
    return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** A browser context like a staff member's: English, a non-UTC zone; records CSP violations. */
export async function newStaffContext(browser, { locale = 'en-US', timezoneId = 'Asia/Shanghai' } = {}) {
    const context = await browser.newContext({ locale, timezoneId, reducedMotion: 'reduce', viewport: { width: 1366, height: 860 } });
    context.setDefaultTimeout(Number(process.env.WEB_ADMIN_E2E_TIMEOUT_MS ?? 15_000));
    context.cspViolations = [];
    context.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) context.cspViolations.push(msg.text());
    });
    context.on('weberror', (e) => context.cspViolations.push(`page error: ${e.error().message}`));
    return context;
}

export async function screenshot(page, name) {
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const a11yReport = [];

/**
 * axe-core on the current page (WCAG 2.1 A/AA rules): no serious or critical violation.
 * Injected through the DevTools protocol, so the page's CSP stays as strict as in production.
 */
export async function checkA11y(page, screen) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    a11yReport.push({ screen, violations: result });
    const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${screen}: serious/critical accessibility violations:\n${JSON.stringify(bad, null, 2)}`);
}

export function writeReport(name, data) {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, name), `${JSON.stringify(data, null, 2)}\n`);
}
