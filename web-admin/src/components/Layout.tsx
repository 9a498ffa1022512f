// The signed-in frame: header (language, account menu), navigation from the role table,
// a banner while TOTP is off (and the prompt to turn it on before a change), and the current
// screen.

import { Alert, Anchor, AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
    IconCategory,
    IconChevronDown,
    IconCreditCard,
    IconDashboard,
    IconGift,
    IconPackage,
    IconReceipt,
    IconShoppingBag,
    IconTicket,
    IconKey,
    IconLogout,
    IconMail,
    IconSettings,
    IconShieldLock,
    IconUserCircle,
    IconUsers,
    IconUsersGroup,
    IconHistory,
    IconActivityHeartbeat,
    IconPlugConnected,
    IconServer,
    IconPackages,
    IconLifebuoy,
    IconSpeakerphone,
    IconAffiliate,
    IconWebhook,
} from '@tabler/icons-react';
import { Suspense, type ComponentType } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { itemForPath, navFor } from '../lib/nav';
import { LanguageSwitch, RoleBadge } from './bits';
import { MfaPrompt } from './MfaPrompt';
import { TableSkeleton } from './states';

const ICONS: Record<string, ComponentType<{ size?: number; 'aria-hidden'?: boolean }>> = {
    dashboard: IconDashboard,
    tickets: IconLifebuoy,
    announcements: IconSpeakerphone,
    commissions: IconAffiliate,
    webhooks: IconWebhook,
    customers: IconUsers,
    groups: IconCategory,
    orders: IconReceipt,
    packages: IconPackage,
    products: IconShoppingBag,
    coupons: IconTicket,
    giftCards: IconGift,
    paymentMethods: IconCreditCard,
    customerPackages: IconPackages,
    nodeServers: IconServer,
    nodeClients: IconPlugConnected,
    nodeStatus: IconActivityHeartbeat,
    staff: IconUsersGroup,
    invitations: IconMail,
    apiKeys: IconKey,
    audit: IconHistory,
    config: IconSettings,
    account: IconUserCircle,
};

export function Layout() {
    const { me, roles, signOut } = useAuth();
    const { t } = useI18n();
    const [opened, { toggle, close }] = useDisclosure();
    const location = useLocation();
    const groups = navFor(roles.roles, me.role);
    const active = itemForPath(location.pathname);

    return (
        <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
            <a href="#main" className="skip-link">
                {t('a11y.skip')}
            </a>
            <AppShell.Header>
                <Group h="100%" px="md" justify="space-between" wrap="nowrap">
                    <Group gap="sm" wrap="nowrap">
                        <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
                        <Anchor component={Link} to="/" underline="never" c="inherit" fw={700}>
                            {t('app.name')}
                        </Anchor>
                    </Group>
                    <Group gap="sm" wrap="nowrap">
                        <LanguageSwitch />
                        <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                                <UnstyledButton title={t('nav.accountMenu')} data-testid="account-menu">
                                    <Group gap={6} wrap="nowrap">
                                        <Avatar size="sm" radius="xl" color="blue" alt="">
                                            {me.name.slice(0, 1).toUpperCase()}
                                        </Avatar>
                                        <Text size="sm" visibleFrom="sm">
                                            {me.name}
                                        </Text>
                                        <IconChevronDown size={14} aria-hidden />
                                    </Group>
                                </UnstyledButton>
                            </Menu.Target>
                            <Menu.Dropdown>
                                <Menu.Label>{me.email}</Menu.Label>
                                <Menu.Item component={Link} to="/account" leftSection={<IconUserCircle size={16} aria-hidden />}>
                                    {t('nav.account')}
                                </Menu.Item>
                                <Menu.Item
                                    leftSection={<IconLogout size={16} aria-hidden />}
                                    onClick={() => void signOut()}
                                    data-testid="sign-out"
                                >
                                    {t('auth.signOut')}
                                </Menu.Item>
                            </Menu.Dropdown>
                        </Menu>
                    </Group>
                </Group>
            </AppShell.Header>
            <AppShell.Navbar p="xs" aria-label={t('nav.label')}>
                <AppShell.Section grow component={ScrollArea}>
                    <div data-testid="nav">
                        <Stack gap="sm">
                            {groups.map((g) => (
                                <div key={g.key}>
                                    <Text size="xs" fw={700} tt="uppercase" px="sm" mb={4} className="nav-group">
                                        {t(g.label)}
                                    </Text>
                                    {g.items.map((item) => {
                                        const Icon = ICONS[item.key] ?? IconDashboard;
                                        return (
                                            <NavLink
                                                key={item.key}
                                                component={Link}
                                                to={item.path}
                                                label={t(item.label)}
                                                leftSection={<Icon size={18} aria-hidden />}
                                                active={active?.key === item.key}
                                                aria-current={active?.key === item.key ? 'page' : undefined}
                                                onClick={close}
                                                data-nav={item.key}
                                            />
                                        );
                                    })}
                                </div>
                            ))}
                        </Stack>
                    </div>
                </AppShell.Section>
                <AppShell.Section>
                    <Group gap="xs" px="sm" py="xs">
                        <IconShieldLock size={16} aria-hidden />
                        <RoleBadge role={me.role} />
                    </Group>
                </AppShell.Section>
            </AppShell.Navbar>
            <AppShell.Main id="main" tabIndex={-1}>
                {me.mfaEnabled ? null : (
                    <Alert color="orange" mb="md" title={t('mfaBanner.title')} data-testid="mfa-banner">
                        {t('mfaBanner.body')}{' '}
                        <Anchor component={Link} to="/account?setup=totp#security">
                            {t('mfaBanner.link')}
                        </Anchor>
                    </Alert>
                )}
                <MfaPrompt />
                <Suspense fallback={<TableSkeleton rows={8} />}>
                    <Outlet />
                </Suspense>
            </AppShell.Main>
        </AppShell>
    );
}
