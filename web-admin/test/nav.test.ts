import { describe, expect, it } from 'vitest';
import { allowed, homePath, itemForPath, NAV_ITEMS, navFor, permissionsOf, type RoleRow } from '../src/lib/nav';

// The role table as adminListRoles answers it (API.md §3, domain/src/admin/permissions.rs),
// trimmed to what the screens use.
const COMMERCE_WRITE = ['catalog.write', 'coupons.write', 'gift_cards.write', 'gift_cards.export', 'wallet.adjust'];
const COMMERCE_READ = ['catalog.read', 'coupons.read', 'gift_cards.read', 'orders.read', 'orders.cancel'];
const ROLES: RoleRow[] = [
    {
        role: 'super_admin',
        permissions: [
            'admins.manage',
            'invitations.manage',
            'api_keys.manage',
            'config.manage',
            'audit.read',
            'customers.read',
            'customers.ban',
            'customers.mfa_reset',
            ...COMMERCE_READ,
            ...COMMERCE_WRITE,
            'orders.mark_paid',
            'orders.refund',
            'nodes.read',
            'nodes.write',
            'packages.cancel',
        ],
    },
    { role: 'moderator', permissions: ['customers.read', 'customers.ban', 'customers.mfa_reset', ...COMMERCE_READ, ...COMMERCE_WRITE, 'nodes.read', 'nodes.write', 'packages.cancel'] },
    { role: 'customer_support', permissions: ['customers.read', 'customers.ban', 'customers.mfa_reset', ...COMMERCE_READ, 'nodes.read'] },
    { role: 'support_bot', permissions: ['customers.read', 'orders.read'] },
];
const COMMERCE_SCREENS = ['orders', 'packages', 'products', 'coupons', 'giftCards'];
const NODE_SCREENS = ['nodeServers', 'nodeClients', 'nodeStatus'];

const keys = (role: string) => navFor(ROLES, role).flatMap((g) => g.items.map((i) => i.key));

describe('permission → navigation', () => {
    it('a SuperAdmin sees every screen, grouped in order', () => {
        expect(keys('super_admin')).toEqual([
            'dashboard',
            'customers',
            'customerPackages',
            'groups',
            ...COMMERCE_SCREENS,
            'paymentMethods',
            ...NODE_SCREENS,
            'staff',
            'invitations',
            'apiKeys',
            'audit',
            'config',
            'account',
        ]);
        expect(navFor(ROLES, 'super_admin').map((g) => g.key)).toEqual(['overview', 'customers', 'commerce', 'nodes', 'team', 'system', 'me']);
    });
    it('customer support lacks staff, invitations, keys, audit, configuration and payment methods', () => {
        expect(keys('customer_support')).toEqual(['dashboard', 'customers', 'customerPackages', 'groups', ...COMMERCE_SCREENS, ...NODE_SCREENS, 'account']);
        expect(navFor(ROLES, 'customer_support').map((g) => g.key)).toEqual(['overview', 'customers', 'commerce', 'nodes', 'me']);
    });
    it('payment methods need config.manage (SuperAdmins), not a commerce permission', () => {
        expect(keys('moderator')).not.toContain('paymentMethods');
        expect(NAV_ITEMS.find((i) => i.key === 'paymentMethods')?.permission).toBe('config.manage');
    });
    it('node screens need nodes.read: a support bot has none, customer packages need only customers.read', () => {
        expect(keys('support_bot').filter((k) => NODE_SCREENS.includes(k))).toEqual([]);
        for (const k of NODE_SCREENS) expect(NAV_ITEMS.find((i) => i.key === k)?.permission).toBe('nodes.read');
        expect(NAV_ITEMS.find((i) => i.key === 'customerPackages')?.permission).toBe('customers.read');
    });
    it('a support bot sees orders but no catalog', () => {
        expect(keys('support_bot')).toEqual(['dashboard', 'customers', 'customerPackages', 'orders', 'account']);
    });
    it('follows the table, not the role name', () => {
        const custom: RoleRow[] = [{ role: 'moderator', permissions: ['customers.read', 'audit.read'] }];
        expect(navFor(custom, 'moderator').flatMap((g) => g.items.map((i) => i.key))).toEqual(['dashboard', 'customers', 'customerPackages', 'audit', 'account']);
    });
    it('an unknown role gets only its own account (default deny)', () => {
        expect(keys('intruder')).toEqual(['account']);
        expect(permissionsOf(ROLES, 'intruder')).toEqual(new Set(['self']));
    });
    it('self-service is always allowed, everything else only when held', () => {
        const perms = permissionsOf(ROLES, 'support_bot');
        expect(allowed(perms, 'self')).toBe(true);
        expect(allowed(perms, 'customers.read')).toBe(true);
        expect(allowed(perms, 'customers.ban')).toBe(false);
    });
    it('every screen names a permission and a unique path', () => {
        expect(new Set(NAV_ITEMS.map((i) => i.path)).size).toBe(NAV_ITEMS.length);
        for (const i of NAV_ITEMS) expect(i.permission).toMatch(/^(self|[a-z_]+\.[a-z_]+)$/);
    });
    it('maps a location to its screen (longest prefix)', () => {
        expect(itemForPath('/')?.key).toBe('dashboard');
        expect(itemForPath('/customers/0190')?.key).toBe('customers');
        expect(itemForPath('/config/auth')?.key).toBe('config');
        expect(itemForPath('/packages/0190')?.key).toBe('packages');
        expect(itemForPath('/gift-cards/0190')?.key).toBe('giftCards');
        expect(itemForPath('/payment-methods')?.key).toBe('paymentMethods');
        expect(itemForPath('/customer-packages')?.key).toBe('customerPackages');
        expect(itemForPath('/nodes/servers/0190')?.key).toBe('nodeServers');
        expect(itemForPath('/nodes/clients/0190')?.key).toBe('nodeClients');
        expect(itemForPath('/nodes/status')?.key).toBe('nodeStatus');
        expect(itemForPath('/nowhere')).toBeUndefined();
    });
    it('lands on the first screen the role may use', () => {
        expect(homePath(ROLES, 'support_bot')).toBe('/');
        expect(homePath(ROLES, 'intruder')).toBe('/account');
    });
});
