// Shared helpers of the staff (admin*) test files; not a test file itself.
//
// Staff accounts cannot sign up: the first one is made with `helium-cli admin create`, which
// prints a single-use setup link. bootstrapAdmin() runs the CLI against the harness server's
// database and Redis prefix, redeems the link with adminCompleteSetup and signs in.
//
//   import { useAdminServer, bootstrapAdmin, adminApi } from './admin_kit.mjs';
//   const server = useAdminServer();
//   const admin = await bootstrapAdmin(server, { role: 'super_admin' });
//   await adminApi(server, admin.accessToken).adminGetMe();
//
// Every human staff account needs TOTP on before any write (403 mfa_required otherwise, for
// every role; API keys are exempt); bootstrapAdminWithMfa makes such an account. Reads and
// the account's own self-service (profile, password, TOTP) work without it.
//
// TOTP codes come from auth_kit's Authenticator (RFC 6238), re-exported here.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHeliumClient } from '../dist/index.js';
import { Authenticator } from './auth_kit.mjs';
import { heliumBin, useHeliumServer } from './harness.mjs';

export { assertRecoveryCodes, Authenticator, expectProblem, expectStatus, RECOVERY_CODE, sleep } from './auth_kit.mjs';

const execFileP = promisify(execFile);

/** Password every bootstrapped admin gets (passes the password policy). */
export const ADMIN_PASSWORD = 'Staff-Correct-Horse-9-Battery';

/**
 * Registers the file's server with a generous RATE_LIMIT_AUTH (staff sign-in and the MFA
 * routes are auth-class routes and the tests call them often from one IP); returns its handle.
 * `env` adds to the server environment.
 */
export function useAdminServer(env = {}) {
    return useHeliumServer({ env: { RATE_LIMIT_AUTH: '1000/60', ...env } });
}

/** The helium-cli binary: HELIUM_CLI_BIN, or next to the server binary. */
export function cliBin() {
    const bin = process.env.HELIUM_CLI_BIN
        ? path.resolve(process.env.HELIUM_CLI_BIN)
        : path.join(path.dirname(heliumBin()), 'helium-cli');
    if (!existsSync(bin)) {
        throw new Error(`helium-cli not found at ${bin}: build it (cargo build -p helium-api --bins) or set HELIUM_CLI_BIN`);
    }
    return bin;
}

/** postgres:// URL of the harness server's database (same PG* defaults as the harness). */
export function databaseUrl(server) {
    const host = process.env.PGHOST || '127.0.0.1';
    const port = process.env.PGPORT || '5432';
    const user = process.env.PGUSER || 'postgres';
    const password = process.env.PGPASSWORD || '';
    const auth = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
    return `postgres://${auth}@${host}:${port}/${server.database}`;
}

/** Runs `helium-cli <args>` against the server's database and Redis prefix; returns stdout. */
export async function runCli(server, args) {
    try {
        const { stdout } = await execFileP(cliBin(), args, {
            env: {
                ...process.env,
                DATABASE_URL: databaseUrl(server),
                REDIS_URL: process.env.HELIUM_TEST_REDIS_URL || 'redis://127.0.0.1:6379',
                REDIS_KEY_PREFIX: server.redisKeyPrefix,
                // The CLI seals and chains audit rows with the server's data key.
                DATA_ENCRYPTION_KEY: server.dataKey.toString('base64'),
                NO_COLOR: '1',
            },
            timeout: 60_000,
        });
        return stdout;
    } catch (err) {
        throw new Error(`helium-cli ${args.join(' ')} failed: ${err.stderr || err.message}`);
    }
}

export function uniqueAdminEmail(label = 'admin') {
    return `${label}-${randomBytes(6).toString('hex')}@staff.test`;
}

/** A client without credentials. */
export function adminAnon(server) {
    return createHeliumClient({ baseUrl: server.url }).admin;
}

/** The generated AdminApi, sending `Authorization: Bearer <accessToken>`. */
export function adminApi(server, accessToken) {
    return createHeliumClient({ baseUrl: server.url, accessToken }).admin;
}

/** adminLogin that must answer a staff session (no MFA challenge): the whole result. */
export async function adminSession(server, email, password = ADMIN_PASSWORD) {
    const result = await adminAnon(server).adminLogin({ adminLoginRequest: { email, password } });
    assert.equal(result.mfaRequired, false, `adminLogin of ${email} should not ask for MFA`);
    assert.equal(typeof result.accessToken, 'string');
    assert.equal(typeof result.refreshToken, 'string', 'a staff sign-in comes with a refresh token');
    return result;
}

/** adminLogin that must answer a staff session (no MFA challenge): the access token. */
export async function adminSignIn(server, email, password = ADMIN_PASSWORD) {
    return (await adminSession(server, email, password)).accessToken;
}

/**
 * Creates a staff account with the CLI, sets its password through the setup link and signs
 * in: { id, email, name, role, password, accessToken, refreshToken }.
 */
export async function bootstrapAdmin(server, { role = 'super_admin', email, name } = {}) {
    email ??= uniqueAdminEmail(role.replaceAll('_', '-'));
    name ??= `Test ${role}`;
    const out = await runCli(server, ['admin', 'create', '--name', name, '--role', role, '--email', email]);
    const id = out.match(/^ID: ([0-9a-f-]{36})$/m)?.[1];
    const token = out.match(/[?&]token=([^\s&]+)/)?.[1];
    assert.ok(id && token, `helium-cli admin create should print the id and a setup link, got:\n${out}`);
    await adminAnon(server).adminCompleteSetup({ adminSetupRequest: { token, password: ADMIN_PASSWORD } });
    const { accessToken, refreshToken } = await adminSession(server, email);
    return { id, email, name, role, password: ADMIN_PASSWORD, accessToken, refreshToken };
}

/** adminLogin that must answer the MFA challenge: the mfa_token. */
export async function adminChallenge(server, email, password = ADMIN_PASSWORD) {
    const result = await adminAnon(server).adminLogin({ adminLoginRequest: { email, password } });
    assert.equal(result.mfaRequired, true, `adminLogin of ${email} should answer an MFA challenge`);
    assert.equal(typeof result.mfaToken, 'string');
    assert.equal(result.accessToken ?? null, null, 'an MFA challenge must not carry a staff token');
    return result.mfaToken;
}

/**
 * Turns TOTP on for the admin signed in with `accessToken` (adminSetupTotp + adminEnableTotp):
 * { totp, recoveryCodes }; `totp` (an Authenticator) has used one step.
 */
export async function enableAdminTotp(server, accessToken, { earliest = 'previous' } = {}) {
    const api = adminApi(server, accessToken);
    const { secret } = await api.adminSetupTotp();
    const totp = new Authenticator(secret);
    const { recoveryCodes } = await api.adminEnableTotp({ totpCodeRequest: { code: await totp.next({ earliest }) } });
    return { totp, recoveryCodes };
}

/**
 * bootstrapAdmin, then TOTP on: the admin plus { totp, recoveryCodes }; its `accessToken` (the
 * enabling session) may write.
 */
export async function bootstrapAdminWithMfa(server, options = {}) {
    const admin = await bootstrapAdmin(server, options);
    return { ...admin, ...(await enableAdminTotp(server, admin.accessToken)) };
}
