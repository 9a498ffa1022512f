// Browser-test plumbing: a live helium (the SDK tests' harness) whose PUBLIC_URL is its own
// address, so the links that helium-cli prints and the invitation e-mail carries open the SPA
// as they would in production; its mailer delivers to a real SMTP sink (the integration tests'
// smtp_sink.py), so links are read from e-mails actually sent (links never sit readable in the
// outbox: they are sealed); Debian's Chromium driven by playwright-core (no browser download);
// axe-core; screenshots; RFC 6238 codes.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

/**
 * helium in `all` mode on free ports, PUBLIC_URL = its own origin, its mailer pointed at a
 * fresh SMTP sink: `{ ...server, url, mail }` (`mail.stop()` with the server). Each test file
 * passes its own `mqPrefix`, so files running side by side never take each other's messages.
 */
export async function startServer({ mqPrefix = 'webadmin_e2e' } = {}) {
    const [port] = await freePorts(1);
    const url = `http://127.0.0.1:${port}`;
    const mailbox = await startSmtpSink();
    let server;
    try {
        server = await startHeliumServer({
            env: {
                LISTEN_ADDR: `127.0.0.1:${port}`,
                PUBLIC_URL: url,
                RATE_LIMIT_AUTH: '1000/60',
                RATE_LIMIT_WRITE: '1000/60',
                RATE_LIMIT_READ: '5000/60',
                MQ_PREFIX: mqPrefix,
            },
        });
        // Straight into the config table (the test's setup, not the SPA's traffic); every
        // process sees a change within 5 s (config store cache), long before the first e-mail.
        await server.sql(
            "UPDATE application__config SET value = value || jsonb_build_object('host', '127.0.0.1', 'port', " +
                `${mailbox.port}, 'starttls', false, 'username', ''), version = version + 1 WHERE key = 'mailer'`,
        );
        await sleep(5_000);
        await checkEmbeddedBuild(url);
    } catch (err) {
        mailbox.stop();
        throw err;
    }
    return { ...server, url, mail: mailbox };
}

// ------------------------------------------------------------------------------ the build under test

const distDir = path.join(webAdminDir, 'dist');
/** Set when HELIUM_BIN embeds another web-admin/dist than the one on disk (see below). */
let localBuild = null;

const CONTENT_TYPES = {
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.html': 'text/html; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.woff2': 'font/woff2',
    '.json': 'application/json',
};

/**
 * helium embeds web-admin/dist when it is compiled (CI builds it from this tree, so the two
 * match). A prebuilt HELIUM_BIN from another commit serves an older app: then the browser's
 * requests for /admin/… are answered from web-admin/dist on disk instead — the sources under
 * test — with the headers helium sends for its own shell (CSP and the rest), so CSP
 * violations are still caught. Said loudly, and recorded in metrics.json.
 */
async function checkEmbeddedBuild(url) {
    const res = await fetch(`${url}/admin/`);
    const served = await res.text();
    const local = readFileSync(path.join(distDir, 'index.html'), 'utf8');
    if (served === local) {
        localBuild = null;
        return;
    }
    const headers = {};
    for (const [k, v] of res.headers) {
        if (!['content-length', 'content-encoding', 'etag', 'vary', 'transfer-encoding', 'date', 'connection', 'keep-alive'].includes(k)) headers[k] = v;
    }
    localBuild = { origin: url, headers };
    console.warn(`web-admin e2e: ${heliumBin()} embeds another web-admin/dist; serving web-admin/dist from disk to the browser (with helium's headers)`);
}

/** Whether the browser gets web-admin/dist from disk (the server's embedded build differs). */
export function servingLocalBuild() {
    return localBuild !== null;
}

/** Routes a browser context's /admin/ requests to web-admin/dist when the embedded build differs. */
export async function applyLocalBuild(context) {
    if (!localBuild) return;
    const { origin, headers } = localBuild;
    await context.route(
        (u) => u.origin === origin && (u.pathname === '/admin' || u.pathname.startsWith('/admin/')),
        async (route) => {
            const { pathname } = new URL(route.request().url());
            const rel = pathname.replace(/^\/admin\/?/, '');
            const file = rel && !rel.includes('..') ? path.join(distDir, rel) : null;
            if (file && existsSync(file) && !file.endsWith(`${path.sep}index.html`)) {
                const ext = path.extname(file);
                await route.fulfill({
                    status: 200,
                    headers: { ...headers, 'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'public, max-age=31536000, immutable' },
                    body: readFileSync(file),
                });
            } else if (rel.startsWith('assets/')) {
                await route.fulfill({ status: 404, headers: { ...headers, 'content-type': 'text/plain' }, body: 'not found' });
            } else {
                await route.fulfill({ status: 200, headers: { ...headers, 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-cache' }, body: readFileSync(path.join(distDir, 'index.html')) });
            }
        },
    );
}

// ------------------------------------------------------------------------------ mail

/** The tool venv's Python (aiosmtpd): HELIUM_PYTHON, else <repo>/.tools/venv. */
function python() {
    const bin = process.env.HELIUM_PYTHON ?? path.join(webAdminDir, '..', '.tools', 'venv', 'bin', 'python');
    assert.ok(existsSync(bin), `no Python at ${bin}: set HELIUM_PYTHON or run deploy/tools/ensure-venv.sh`);
    return bin;
}

/** The SMTP sink on a free port, saving each message as <n>.eml in a scratch directory. */
async function startSmtpSink() {
    const [port] = await freePorts(1);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'web-admin-mail-'));
    const script = path.join(webAdminDir, '..', 'api', 'tests', 'it', 'support', 'smtp_sink.py');
    const child = spawn(python(), [script, '--port', String(port), '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the SMTP sink did not start within 15 s')), 15_000);
        child.stdout.on('data', (chunk) => {
            if (String(chunk).includes('READY')) {
                clearTimeout(timer);
                resolve();
            }
        });
        child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`the SMTP sink exited (${code})`));
        });
    });
    child.removeAllListeners('exit');
    return {
        port,
        dir,
        stop() {
            child.kill('SIGTERM');
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

function unfoldHeaders(head) {
    const out = {};
    for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    return out;
}

function splitMessage(raw) {
    const text = raw.replace(/\r\n/g, '\n');
    const i = text.indexOf('\n\n');
    return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 2)];
}

function decodeBody(body, encoding) {
    switch ((encoding ?? '').toLowerCase()) {
        case 'base64':
            return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
        case 'quoted-printable':
            return Buffer.from(
                body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))),
                'latin1',
            ).toString('utf8');
        default:
            return body;
    }
}

/** A received message: its headers and its decoded text/plain part. */
export function parseMail(raw) {
    const [head, body] = splitMessage(raw);
    const headers = unfoldHeaders(head);
    const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
    let text = decodeBody(body, headers['content-transfer-encoding']);
    if (boundary) {
        for (const part of body.split(`--${boundary}`)) {
            const [phead, pbody] = splitMessage(part.replace(/^\n/, ''));
            const ph = unfoldHeaders(phead);
            if ((ph['content-type'] ?? '').startsWith('text/plain')) text = decodeBody(pbody, ph['content-transfer-encoding']);
        }
    }
    return { to: headers.to ?? '', subject: headers.subject ?? '', text };
}

/**
 * The newest e-mail to `to` holding a `?token=` link whose path contains `pathPart`, as it
 * reached the SMTP sink (outbox → relay → RabbitMQ → mailer → SMTP): `{ link, token, subject }`.
 */
export async function mailedLink(server, to, pathPart) {
    const deadline = Date.now() + 30_000;
    for (;;) {
        const files = readdirSync(server.mail.dir)
            .filter((f) => /^\d+\.eml$/.test(f))
            .sort((a, b) => Number(b.slice(0, -4)) - Number(a.slice(0, -4)));
        for (const f of files) {
            const m = parseMail(readFileSync(path.join(server.mail.dir, f), 'utf8'));
            if (!m.to.includes(to)) continue;
            const link = /https?:\/\/[^\s"<>]+\?token=[A-Za-z0-9_-]+/.exec(m.text)?.[0];
            if (link && link.includes(pathPart)) return { link, token: new URL(link).searchParams.get('token'), subject: m.subject };
        }
        if (Date.now() > deadline) assert.fail(`no e-mail to ${to} with a ${pathPart} link reached the SMTP sink`);
        await sleep(200);
    }
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
            // The CLI seals and chains audit rows with the server's data key.
            DATA_ENCRYPTION_KEY: server.dataKey.toString('base64'),
            PUBLIC_URL: server.url,
            NO_COLOR: '1',
        },
        timeout: 60_000,
    });
    return stdout;
}

export function uniqueEmail(label, domain = 'staff.test') {
    return `${label}-${randomBytes(5).toString('hex')}@${domain}`;
}

/**
 * A customer signed up through the public API (the e-mailed sign-up link, then
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
    const { token } = await mailedLink(server, email, '?token=');
    const done = await post('/api/v1/auth/register/complete', { token, password: 'Correct-Horse-7-Battery' });
    return { email, id: done.account.id, accessToken: done.tokens?.access_token };
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
 * An authenticator app. The server accepts the current and the previous 30 s step, each once
 * per account and only ever later steps (SECURITY.md §1.7): hand out the earliest unused step
 * of that window (the previous one only while it has 5 s or more to live), waiting for the
 * next step when both are used.
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
            const window = [into < 25_000 ? step - 1 : null, step].filter((s) => s !== null && s > this.last);
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
    const context = await browser.newContext({ locale, timezoneId, reducedMotion: 'reduce', viewport: { width: 1366, height: 860 }, acceptDownloads: true });
    await applyLocalBuild(context);
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

// ------------------------------------------------------------------------------ staff

/**
 * A staff member of `role`, signed in in a browser context of their own: created with
 * helium-cli, password set on the printed setup link, signed in; with `totp`, two-factor
 * sign-in turned on from My account (every change needs it). `{ context, page, email, totp }`.
 */
export async function staffMember(server, browser, { role, name, totp = false }) {
    const email = uniqueEmail(role.replace(/_/g, '-'));
    const out = await cli(server, ['admin', 'create', '--name', name, '--role', role, '--email', email]);
    const link = out.match(/https?:\/\/\S+\/admin\/setup\?token=\S+/)?.[0];
    assert.ok(link, `helium-cli printed no setup link:\n${out}`);
    const context = await newStaffContext(browser);
    const page = await context.newPage();
    await page.goto(link);
    await page.getByTestId('new-password').fill(PASSWORD);
    await page.getByTestId('confirm-password').fill(PASSWORD);
    await page.getByTestId('set-password').click();
    await page.getByTestId('go-sign-in').click();
    await page.getByTestId('email').fill(email);
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('sign-in').click();
    await page.getByTestId('nav').waitFor();
    const member = { context, page, email, totp: null };
    if (totp) {
        await page.goto(`${server.url}/admin/account?setup=totp#security`);
        await page.getByTestId('setup-totp').click();
        const secret = (await page.getByTestId('totp-secret').textContent()).trim();
        member.totp = new Authenticator(secret);
        await page.getByTestId('enable-code').fill(await member.totp.code());
        await page.getByTestId('enable-totp').click();
        await page.getByTestId('codes-done').click();
        await page.getByTestId('mfa-on').waitFor();
    }
    return member;
}

/** Picks `option` of a Mantine Select / MultiSelect. */
export async function choose(page, input, option) {
    await input.click();
    await page.getByRole('option', { name: option, exact: true }).click();
}
