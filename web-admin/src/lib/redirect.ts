/** Where to go after sign-in: only same-app paths, never another origin (`//host`, `/\host`). */
export function safeNext(raw: string | null): string {
    if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
    return raw;
}
