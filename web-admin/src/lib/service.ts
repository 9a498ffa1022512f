// Support, announcements, affiliates and outgoing webhooks: the closed value sets the screens
// offer (the server's, API.md §2.6–2.8, §2.11) and small pure helpers, unit-tested.

export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const COMMISSION_STATUSES = ['pending', 'available', 'reversed'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const EMAIL_CATEGORIES = ['marketing', 'service'] as const;

/** Event types an endpoint may subscribe to: `*`, `<domain>.*` or a known type (domain/src/notify/webhooks.rs). */
export const WEBHOOK_EVENT_TYPES = [
    '*',
    'order.*',
    'order.paid',
    'order.delivered',
    'order.cancelled',
    'order.refunded',
    'payment.*',
    'payment.succeeded',
    'user.*',
    'user.registered',
    'user.banned',
    'package.*',
    'package.activated',
    'package.consumed',
    'node.*',
    'node.offline',
    'node.online',
    'ticket.*',
    'ticket.created',
    'ticket.replied',
    'ticket.status_changed',
] as const;

/** The delivery list's event filter also knows the test event (never subscribable). */
export const DELIVERY_EVENT_TYPES = [...WEBHOOK_EVENT_TYPES.filter((e) => !e.endsWith('*')), 'webhook.test'];

/** Who wrote a ticket message, as the conversation shows it. */
export type MessageKind = 'customer' | 'staff' | 'bot' | 'internal';

export function messageKind(m: { authorType: string; internal: boolean }): MessageKind {
    if (m.internal) return 'internal';
    if (m.authorType === 'customer') return 'customer';
    return m.authorType === 'api_key' ? 'bot' : 'staff';
}

/** A reward rate typed in percent (`10` or `12.5`) → the decimal string the API takes (`"0.1"`). */
export function affiliatePercentToRate(input: string): string | null {
    const s = input.trim();
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null;
    const [whole, frac = ''] = s.split('.');
    const hundredths = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
    if (hundredths > 10_000) return null;
    // hundredths of a percent = ten-thousandths of one: at most 4 decimal places.
    const int = Math.floor(hundredths / 10_000);
    const rest = String(hundredths % 10_000).padStart(4, '0').replace(/0+$/, '');
    return rest ? `${int}.${rest}` : String(int);
}

/** A decimal rate (`"0.125"`) → percent text (`12.5`). */
export function rateToPercentText(rate: string | null | undefined): string {
    if (rate === null || rate === undefined || rate === '') return '';
    const m = /^(\d+)(?:\.(\d{1,4}))?/.exec(rate.trim());
    if (!m) return rate;
    const tenThousandths = Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'));
    const whole = Math.floor(tenThousandths / 100);
    const frac = String(tenThousandths % 100).padStart(2, '0').replace(/0+$/, '');
    return frac ? `${whole}.${frac}` : String(whole);
}
