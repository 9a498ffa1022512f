// The only way the app talks to the server: the generated TypeScript SDK (sdks/typescript),
// one configured instance per API class the admin screens use. No hand-written fetch calls.

import {
    AdminApi,
    AuditApi,
    ConfigApi,
    CustomersApi,
    MetaApi,
    createHeliumConfiguration,
    type Middleware,
} from '@helium/sdk';
import { endSession, getToken } from '../auth/session';

function sentCredentials(init: RequestInit): boolean {
    const h = init.headers;
    if (!h) return false;
    if (h instanceof Headers) return h.has('authorization');
    return Object.keys(h as Record<string, string>).some((k) => k.toLowerCase() === 'authorization');
}

/**
 * A 401 to a request that carried the staff token means the session is over (expired,
 * signed out elsewhere, password changed, disabled): end it; the app returns to sign-in once.
 * A 401 to sign-in itself (wrong password, wrong code) is left to the form.
 */
const sessionGuard: Middleware = {
    async post({ response, init }) {
        if (response.status === 401 && sentCredentials(init)) {
            endSession('expired');
        }
        return undefined;
    },
};

const configuration = createHeliumConfiguration({
    baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
    accessToken: () => getToken() ?? '',
    middleware: [sessionGuard],
});

export const api = {
    admin: new AdminApi(configuration),
    audit: new AuditApi(configuration),
    config: new ConfigApi(configuration),
    customers: new CustomersApi(configuration),
    meta: new MetaApi(configuration),
};
