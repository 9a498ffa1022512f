// Support, announcements, affiliates and webhooks: message kinds, the affiliate rate typed in
// percent, and the navigation of the issue 15 screens per role (API.md §3).

import { describe, expect, it } from 'vitest';
import { navFor, type RoleRow } from '../src/lib/nav';
import { affiliatePercentToRate, messageKind, rateToPercentText, WEBHOOK_EVENT_TYPES } from '../src/lib/service';

describe('ticket messages', () => {
    it('customer, staff, bot and internal notes are told apart', () => {
        expect(messageKind({ authorType: 'customer', internal: false })).toBe('customer');
        expect(messageKind({ authorType: 'admin', internal: false })).toBe('staff');
        expect(messageKind({ authorType: 'api_key', internal: false })).toBe('bot');
        expect(messageKind({ authorType: 'admin', internal: true })).toBe('internal');
    });
});

describe('affiliate rate', () => {
    it('percent → decimal rate (0–100 %, two decimals)', () => {
        expect(affiliatePercentToRate('10')).toBe('0.1');
        expect(affiliatePercentToRate('12.5')).toBe('0.125');
        expect(affiliatePercentToRate('0.01')).toBe('0.0001');
        expect(affiliatePercentToRate('0')).toBe('0');
        expect(affiliatePercentToRate('100')).toBe('1');
        for (const bad of ['100.01', '-1', '1.234', 'abc', '', '1e2']) expect(affiliatePercentToRate(bad)).toBeNull();
    });
    it('decimal rate → percent', () => {
        expect(rateToPercentText('0.1')).toBe('10');
        expect(rateToPercentText('0.125')).toBe('12.5');
        expect(rateToPercentText('0.0001')).toBe('0.01');
        expect(rateToPercentText('1')).toBe('100');
        expect(rateToPercentText(null)).toBe('');
    });
    it('round trip', () => {
        for (const p of ['0', '5', '7.25', '33.33', '100']) expect(rateToPercentText(affiliatePercentToRate(p))).toBe(p);
    });
});

describe('webhook event types', () => {
    it('offers * and domain wildcards, never the test event', () => {
        expect(WEBHOOK_EVENT_TYPES).toContain('*');
        expect(WEBHOOK_EVENT_TYPES).toContain('ticket.*');
        expect(WEBHOOK_EVENT_TYPES).not.toContain('webhook.test');
    });
});

describe('navigation of the issue 15 screens', () => {
    const roles: RoleRow[] = [
        { role: 'super_admin', permissions: ['customers.read', 'tickets.read', 'tickets.reply', 'tickets.manage', 'announcements.read', 'announcements.write', 'affiliate.read', 'affiliate.write', 'webhooks.manage', 'config.manage'] },
        { role: 'moderator', permissions: ['customers.read', 'tickets.read', 'tickets.reply', 'tickets.manage', 'announcements.read', 'announcements.write', 'affiliate.read', 'affiliate.write'] },
        { role: 'customer_support', permissions: ['customers.read', 'tickets.read', 'tickets.reply', 'tickets.manage', 'announcements.read', 'affiliate.read'] },
        { role: 'support_bot', permissions: ['customers.read', 'tickets.read', 'tickets.reply'] },
    ];
    const keys = (role: string) => navFor(roles, role).flatMap((g) => g.items.map((i) => i.key));
    it('webhooks for SuperAdmins only, commissions for affiliate.write', () => {
        expect(keys('super_admin')).toEqual(expect.arrayContaining(['tickets', 'announcements', 'commissions', 'webhooks']));
        expect(keys('moderator')).toEqual(expect.arrayContaining(['tickets', 'announcements', 'commissions']));
        expect(keys('moderator')).not.toContain('webhooks');
        expect(keys('customer_support')).toEqual(expect.arrayContaining(['tickets', 'announcements']));
        expect(keys('customer_support')).not.toContain('commissions');
        expect(keys('support_bot')).toContain('tickets');
        expect(keys('support_bot')).not.toContain('announcements');
        expect(navFor(roles, 'support_bot').map((g) => g.key)).toEqual(['overview', 'customers', 'support', 'me']);
    });
});
