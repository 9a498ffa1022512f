// Enumerations the API documents as strings (API.md §3), for select boxes and labels.

export const ROLES = ['super_admin', 'moderator', 'customer_support', 'support_bot'] as const;
export type Role = (typeof ROLES)[number];

/** Roles `actor` may grant: its own and those below (nobody grants above their own). */
export function grantableRoles(actor: string): Role[] {
    const i = ROLES.indexOf(actor as Role);
    return i < 0 ? [] : ROLES.slice(i);
}

export const CUSTOMER_STATUSES = ['active', 'banned'] as const;
export const ADMIN_STATUSES = ['active', 'disabled'] as const;
export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
export const LOGIN_METHOD_KINDS = ['password', 'email_code', 'oauth'] as const;
export const AUDIT_ACTOR_TYPES = ['admin', 'api_key', 'cli', 'system'] as const;
export const PAGE_SIZES = ['20', '50', '100'] as const;

/** Field error codes of API.md §4 (translated; others fall back to the server's message). */
export const FIELD_ERROR_CODES = [
    'required',
    'unknown_field',
    'invalid_type',
    'invalid_format',
    'invalid_enum',
    'too_short',
    'too_long',
    'out_of_range',
    'too_common',
    'breached',
    'same_as_email',
] as const;

/** Problem codes the admin screens meet (translated; others show the server's title). */
export const PROBLEM_CODES = [
    'unauthenticated',
    'token_expired',
    'refresh_token_invalid',
    'refresh_token_reused',
    'invalid_credentials',
    'mfa_token_invalid',
    'invalid_code',
    'code_already_used',
    'permission_denied',
    'mfa_required',
    'account_disabled',
    'reauth_failed',
    'role_not_grantable',
    'not_found',
    'invalid_state',
    'mfa_already_enabled',
    'mfa_setup_required',
    'mfa_not_enabled',
    'admin_email_taken',
    'last_super_admin',
    'invitation_used',
    'invitation_expired',
    'link_expired',
    'link_invalid',
    'precondition_failed',
    'validation_failed',
    'invalid_cursor',
    'rate_limited',
    'too_many_attempts',
    'service_unavailable',
    'internal_error',
    'network_error',
] as const;
