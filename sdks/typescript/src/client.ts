// Hand-written (deploy/gen-sdks.sh only writes src/generated/).
//
// createHeliumClient(): one configured instance of every generated API class, with
// problem+json errors turned into HeliumProblemError.

import * as apis from './generated/apis/index.js';
import {
    BaseAPI,
    Configuration,
    type ConfigurationParameters,
    type FetchAPI,
    type HTTPHeaders,
    type Middleware,
} from './generated/runtime.js';
import { HeliumProblemError } from './problem.js';

export interface HeliumClientOptions {
    /** Server origin, e.g. `https://helium.example.com` (operation paths carry `/api/v1`). */
    baseUrl: string;
    /** JWT for the `customerBearer` / `adminBearer` schemes (`Authorization: Bearer ...`). */
    accessToken?: ConfigurationParameters['accessToken'];
    /**
     * Key for the apiKey schemes. A string is used for every apiKey scheme; a function
     * receives the parameter name (`X-API-Key`, `token`, `sign`) and returns the value.
     */
    apiKey?: ConfigurationParameters['apiKey'];
    /** fetch implementation (default: global `fetch`). */
    fetchApi?: FetchAPI;
    /** Headers sent with every request. */
    headers?: HTTPHeaders;
    /** Extra middleware; runs before the problem+json middleware. */
    middleware?: Middleware[];
}

/**
 * Middleware that throws `HeliumProblemError` for any non-2xx response with a JSON
 * (normally `application/problem+json`) body. Other error responses fall through to the
 * generated runtime, which throws its `ResponseError`.
 */
export const heliumProblemMiddleware: Middleware = {
    async post({ response }) {
        if (!response.ok) {
            const problem = await HeliumProblemError.fromResponse(response);
            if (problem) {
                throw problem;
            }
        }
        return undefined;
    },
    async onError({ response }) {
        if (response && !response.ok) {
            const problem = await HeliumProblemError.fromResponse(response);
            if (problem) {
                throw problem;
            }
        }
        return undefined;
    },
};

/** The generated runtime `Configuration` used by `createHeliumClient`. */
export function createHeliumConfiguration(options: HeliumClientOptions): Configuration {
    const params: ConfigurationParameters = {
        basePath: options.baseUrl.replace(/\/+$/, ''),
        middleware: [...(options.middleware ?? []), heliumProblemMiddleware],
    };
    if (options.accessToken !== undefined) params.accessToken = options.accessToken;
    if (options.apiKey !== undefined) params.apiKey = options.apiKey;
    if (options.fetchApi !== undefined) params.fetchApi = options.fetchApi;
    if (options.headers !== undefined) params.headers = options.headers;
    return new Configuration(params);
}

type ApiModule = typeof apis;
type ApiCtor = new (configuration?: Configuration) => BaseAPI;
type ClientKey<K> = K extends `${infer Tag}Api` ? Uncapitalize<Tag> : never;

/** `{ meta: MetaApi, ... }`: one property per generated API class (one per OpenAPI tag). */
export type HeliumClient = {
    readonly [K in keyof ApiModule as ApiModule[K] extends ApiCtor ? ClientKey<K> : never]: ApiModule[K] extends new (
        configuration?: Configuration,
    ) => infer Instance
        ? Instance
        : never;
};

function isApiClass(value: unknown): value is ApiCtor {
    return typeof value === 'function' && value.prototype instanceof BaseAPI;
}

/**
 * Returns configured instances of every generated API class, keyed by tag:
 *
 *     const helium = createHeliumClient({ baseUrl: 'https://helium.example.com' });
 *     const meta = await helium.meta.getMeta();
 */
export function createHeliumClient(options: HeliumClientOptions): HeliumClient {
    const configuration = createHeliumConfiguration(options);
    const client: Record<string, BaseAPI> = {};
    for (const [name, value] of Object.entries(apis)) {
        if (name.endsWith('Api') && isApiClass(value)) {
            const tag = name.slice(0, -'Api'.length);
            client[tag.charAt(0).toLowerCase() + tag.slice(1)] = new value(configuration);
        }
    }
    return Object.freeze(client) as unknown as HeliumClient;
}
