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

// Commerce (API.md "Shop and wallet").
export const ORDER_STATUSES = ['unpaid', 'paid', 'delivered', 'cancelled', 'refunded'] as const;
export const ORDER_KINDS = ['purchase', 'renewal', 'top_up'] as const;
export const PAID_VIA = ['wallet', 'gateway', 'staff', 'free'] as const;
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export const LEDGER_TYPES = [
    'gift_card',
    'order_payment',
    'refund',
    'adjustment',
    'freeze',
    'unfreeze',
    'commission_withdrawal',
    'top_up',
    'overpayment',
] as const;
export const LEDGER_BUCKETS = ['available', 'frozen'] as const;
export const WALLET_ADJUSTMENTS = ['deposit', 'consume', 'freeze', 'unfreeze'] as const;
export type WalletAdjustment = (typeof WALLET_ADJUSTMENTS)[number];
export const TRAFFIC_RESETS = ['none', 'monthly_on_purchase_day', 'first_of_month'] as const;
export const DISCOUNT_TYPES = ['percentage', 'fixed'] as const;
export const GIFT_CARD_STATUSES = ['active', 'redeemed', 'expired', 'disabled'] as const;
export const GIFT_CARD_KINDS = ['batch', 'special'] as const;
export const PAYMENT_METHOD_KINDS = ['epay'] as const;
/** Epay channels staff usually mean (the field is free text). */
export const EPAY_CHANNELS = ['alipay', 'wxpay', 'qqpay', 'usdt'] as const;
/** The shop currency when the server does not tell (the configuration's default). */
export const DEFAULT_CURRENCY = 'CNY';

// Telecom (API.md "Nodes and packages").
/** Node client protocols (the `protocol` tag of a client's settings). */
export const PROTOCOLS = ['vmess', 'vless', 'trojan', 'shadowsocks', 'hysteria2', 'tuic', 'anytls', 'socks', 'http'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** How `alivelist` reports online devices to a node's agent: V2bX counts, the XrayR fork IPs. */
export const ALIVELIST_SHAPES = ['count', 'ips'] as const;
export type AlivelistShape = (typeof ALIVELIST_SHAPES)[number];
/** A customer package's life: queued, active (one per customer), used up or expired, cancelled. */
export const PACKAGE_STATUSES = ['in_queue', 'active', 'consumed', 'cancelled'] as const;

/** A gift card's state, from its fields (the list filter uses the same four words). */
export function giftCardStatus(
    c: { disabled: boolean; expiresAt?: Date | null; redemptions: number; maxRedemptions: number },
    now = Date.now(),
): (typeof GIFT_CARD_STATUSES)[number] {
    if (c.disabled) return 'disabled';
    if (c.redemptions >= c.maxRedemptions) return 'redeemed';
    if (c.expiresAt && c.expiresAt.getTime() <= now) return 'expired';
    return 'active';
}

/** A coupon's state: off, not started, over, used up, or live. */
export function couponStatus(
    c: { active: boolean; startsAt: Date; endsAt: Date; uses: number; maxUses?: number | null },
    now = Date.now(),
): 'inactive' | 'scheduled' | 'expired' | 'exhausted' | 'active' {
    if (!c.active) return 'inactive';
    if (c.endsAt.getTime() <= now) return 'expired';
    if (c.startsAt.getTime() > now) return 'scheduled';
    if (c.maxUses !== null && c.maxUses !== undefined && c.uses >= c.maxUses) return 'exhausted';
    return 'active';
}
export const COUPON_STATUSES = ['inactive', 'scheduled', 'expired', 'exhausted', 'active'] as const;

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
    'invalid_reference',
    'url_not_allowed',
    'not_supported',
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
    'group_name_taken',
    'group_in_use',
    'series_archived',
    'version_already_published',
    'coupon_code_taken',
    'coupon_in_use',
    'order_not_cancellable',
    'order_not_payable',
    'order_not_refundable',
    'insufficient_funds',
    'insufficient_frozen_funds',
    'gift_card_code_taken',
    'gift_card_already_redeemed',
    'url_not_allowed',
    'server_has_clients',
    'node_id_taken',
    'idempotency_key_in_progress',
    'idempotency_key_reused',
    'idempotency_key_missing',
    'idempotency_key_invalid',
    'too_many_attempts',
    'service_unavailable',
    'internal_error',
    'network_error',
] as const;
