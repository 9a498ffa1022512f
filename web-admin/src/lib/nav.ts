// Navigation built from the server's role table (adminListRoles) and the signed-in role:
// an item is shown only when the role holds the permission its screen needs. Pure data, so
// it is unit-tested without a browser; icons are attached by the layout.

import type { MessageKey } from '../i18n/en';

/** `self`: every signed-in staff member (profile, password, MFA). */
export const SELF = 'self';

export type NavGroupKey = 'overview' | 'customers' | 'support' | 'commerce' | 'nodes' | 'team' | 'system' | 'me';

export interface NavItem {
    key: string;
    /** Router path under the /admin basename. */
    path: string;
    label: MessageKey;
    group: NavGroupKey;
    /** Permission the screen's main list needs. */
    permission: string;
}

export interface NavGroup {
    key: NavGroupKey;
    label: MessageKey;
    items: NavItem[];
}

export const NAV_GROUPS: { key: NavGroupKey; label: MessageKey }[] = [
    { key: 'overview', label: 'nav.group.overview' },
    { key: 'customers', label: 'nav.group.customers' },
    { key: 'support', label: 'nav.group.support' },
    { key: 'commerce', label: 'nav.group.commerce' },
    { key: 'nodes', label: 'nav.group.nodes' },
    { key: 'team', label: 'nav.group.team' },
    { key: 'system', label: 'nav.group.system' },
    { key: 'me', label: 'nav.group.me' },
];

export const NAV_ITEMS: NavItem[] = [
    { key: 'dashboard', path: '/', label: 'nav.dashboard', group: 'overview', permission: 'customers.read' },
    { key: 'customers', path: '/customers', label: 'nav.customers', group: 'customers', permission: 'customers.read' },
    { key: 'customerPackages', path: '/customer-packages', label: 'nav.customerPackages', group: 'customers', permission: 'customers.read' },
    { key: 'groups', path: '/groups', label: 'nav.groups', group: 'customers', permission: 'catalog.read' },
    { key: 'tickets', path: '/tickets', label: 'nav.tickets', group: 'support', permission: 'tickets.read' },
    { key: 'announcements', path: '/announcements', label: 'nav.announcements', group: 'support', permission: 'announcements.read' },
    { key: 'orders', path: '/orders', label: 'nav.orders', group: 'commerce', permission: 'orders.read' },
    { key: 'packages', path: '/packages', label: 'nav.packages', group: 'commerce', permission: 'catalog.read' },
    { key: 'products', path: '/products', label: 'nav.products', group: 'commerce', permission: 'catalog.read' },
    { key: 'coupons', path: '/coupons', label: 'nav.coupons', group: 'commerce', permission: 'coupons.read' },
    { key: 'giftCards', path: '/gift-cards', label: 'nav.giftCards', group: 'commerce', permission: 'gift_cards.read' },
    { key: 'commissions', path: '/commissions', label: 'nav.commissions', group: 'commerce', permission: 'affiliate.write' },
    { key: 'paymentMethods', path: '/payment-methods', label: 'nav.paymentMethods', group: 'commerce', permission: 'config.manage' },
    { key: 'nodeServers', path: '/nodes/servers', label: 'nav.nodeServers', group: 'nodes', permission: 'nodes.read' },
    { key: 'nodeClients', path: '/nodes/clients', label: 'nav.nodeClients', group: 'nodes', permission: 'nodes.read' },
    { key: 'nodeStatus', path: '/nodes/status', label: 'nav.nodeStatus', group: 'nodes', permission: 'nodes.read' },
    { key: 'staff', path: '/staff', label: 'nav.staff', group: 'team', permission: 'admins.manage' },
    { key: 'invitations', path: '/invitations', label: 'nav.invitations', group: 'team', permission: 'invitations.manage' },
    { key: 'apiKeys', path: '/api-keys', label: 'nav.apiKeys', group: 'team', permission: 'api_keys.manage' },
    { key: 'audit', path: '/audit', label: 'nav.audit', group: 'system', permission: 'audit.read' },
    { key: 'config', path: '/config', label: 'nav.config', group: 'system', permission: 'config.manage' },
    { key: 'webhooks', path: '/webhooks', label: 'nav.webhooks', group: 'system', permission: 'webhooks.manage' },
    { key: 'account', path: '/account', label: 'nav.account', group: 'me', permission: SELF },
];

export interface RoleRow {
    role: string;
    permissions: string[];
}

/** The permissions of `role` in the role table (`self` always included); empty when unknown. */
export function permissionsOf(roles: readonly RoleRow[], role: string): Set<string> {
    const row = roles.find((r) => r.role === role);
    return new Set([SELF, ...(row?.permissions ?? [])]);
}

export function allowed(permissions: ReadonlySet<string>, permission: string): boolean {
    return permission === SELF || permissions.has(permission);
}

/** The navigation `role` sees: groups in order, each with the items it may use; no empty group. */
export function navFor(roles: readonly RoleRow[], role: string): NavGroup[] {
    const perms = permissionsOf(roles, role);
    return NAV_GROUPS.map((g) => ({
        ...g,
        items: NAV_ITEMS.filter((i) => i.group === g.key && allowed(perms, i.permission)),
    })).filter((g) => g.items.length > 0);
}

/** The nav item whose screen `pathname` shows (longest matching prefix). */
export function itemForPath(pathname: string): NavItem | undefined {
    const matches = NAV_ITEMS.filter((i) =>
        i.path === '/' ? pathname === '/' || pathname === '' : pathname === i.path || pathname.startsWith(`${i.path}/`),
    );
    return matches.sort((a, b) => b.path.length - a.path.length)[0];
}

/** Where to land after sign-in when no `next` is given: the first screen the role may use. */
export function homePath(roles: readonly RoleRow[], role: string): string {
    return navFor(roles, role)[0]?.items[0]?.path ?? '/account';
}
