// Hand-written (deploy/gen-sdks.sh only writes src/generated/).
//
// RFC 9457 problem documents returned by the Helium API, as a typed Error.

/** One entry of `errors` in a problem document (field-level validation failures). */
export interface HeliumFieldError {
    field: string;
    code: string;
    message: string;
}

/** The wire shape of a Helium `application/problem+json` body. */
export interface HeliumProblem {
    type: string;
    title: string;
    status: number;
    detail?: string | null;
    code: string;
    request_id?: string | null;
    errors?: HeliumFieldError[];
    [extension: string]: unknown;
}

const JSON_MIME = /^application\/(?:[\w.+-]+\+)?json\b|\/json\b/i;

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
    return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function fieldErrors(value: unknown): HeliumFieldError[] {
    if (!Array.isArray(value)) {
        return [];
    }
    return value
        .filter(isRecord)
        .map((e) => ({
            field: typeof e.field === 'string' ? e.field : '',
            code: typeof e.code === 'string' ? e.code : '',
            message: typeof e.message === 'string' ? e.message : '',
        }));
}

/**
 * Thrown by clients from `createHeliumClient` for every non-2xx response whose body
 * is JSON (normally `application/problem+json`). Non-JSON error bodies keep the
 * generator's `ResponseError`.
 */
export class HeliumProblemError extends Error {
    override readonly name = 'HeliumProblemError';
    /** HTTP status of the response. */
    readonly status: number;
    /** Stable machine-readable error code, e.g. `not_found`, `validation_failed`. */
    readonly code: string;
    /** Problem type URI, `urn:helium:problem:<code>`. */
    readonly type: string;
    readonly title: string;
    readonly detail?: string;
    /** Server request id (body `request_id`, else the `x-request-id` header). */
    readonly requestId?: string;
    /** Field-level errors (empty unless the server sent some). */
    readonly errors: HeliumFieldError[];
    /** The raw parsed response body. */
    readonly problem: HeliumProblem | Record<string, unknown>;
    /** Seconds from the `Retry-After` header (429 / 503), when present. */
    readonly retryAfter?: number;
    /** The HTTP response (its body has already been read). */
    readonly response?: Response;

    constructor(
        status: number,
        problem: Record<string, unknown>,
        options: { response?: Response; requestId?: string; statusText?: string; retryAfter?: number } = {},
    ) {
        const code = str(problem.code) ?? `http_${status}`;
        const title = str(problem.title) ?? str(options.statusText) ?? `HTTP ${status}`;
        const detail = str(problem.detail);
        const requestId = str(problem.request_id) ?? str(options.requestId);
        super(`${status} ${code}: ${detail ?? title}${requestId ? ` (request id ${requestId})` : ''}`);
        Object.setPrototypeOf(this, new.target.prototype);
        this.status = status;
        this.code = code;
        this.type = str(problem.type) ?? 'about:blank';
        this.title = title;
        if (detail !== undefined) {
            this.detail = detail;
        }
        if (requestId !== undefined) {
            this.requestId = requestId;
        }
        this.errors = fieldErrors(problem.errors);
        this.problem = problem;
        if (options.retryAfter !== undefined) {
            this.retryAfter = options.retryAfter;
        }
        if (options.response !== undefined) {
            this.response = options.response;
        }
    }

    /**
     * Builds the error from a non-2xx response, or returns `undefined` when the body
     * is not a JSON object. Consumes the response body (pass a clone if needed).
     */
    static async fromResponse(response: Response): Promise<HeliumProblemError | undefined> {
        if (response.ok) {
            return undefined;
        }
        const contentType = response.headers.get('content-type') ?? '';
        let text: string;
        try {
            text = await response.text();
        } catch {
            return undefined;
        }
        if (!JSON_MIME.test(contentType) && !(contentType === '' && text.trimStart().startsWith('{'))) {
            return undefined;
        }
        let body: unknown;
        try {
            body = JSON.parse(text);
        } catch {
            return undefined;
        }
        if (!isRecord(body)) {
            return undefined;
        }
        const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
        return new HeliumProblemError(response.status, body, {
            response,
            requestId: response.headers.get('x-request-id') ?? undefined,
            statusText: response.statusText,
            ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfter } : {}),
        });
    }
}

/** Type guard that also works across duplicated copies of this package. */
export function isHeliumProblemError(error: unknown): error is HeliumProblemError {
    return (
        error instanceof HeliumProblemError ||
        (error instanceof Error && error.name === 'HeliumProblemError' && 'code' in error && 'status' in error)
    );
}
