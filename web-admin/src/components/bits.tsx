// Small shared pieces: page header, badges, dates, copy button, pager, language switch.

import {
    ActionIcon,
    Badge,
    Button,
    CopyButton as MantineCopyButton,
    Group,
    Select,
    Stack,
    Text,
    Title,
    Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconLanguage } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { LANGS, useI18n, type Lang } from '../i18n';
import { PAGE_SIZES } from '../lib/domain';
import { formatDateTime } from '../lib/format';

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: ReactNode }) {
    return (
        <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
            <Stack gap={2}>
                <Title order={1} size="h2">
                    {title}
                </Title>
                {description ? <Text size="sm">{description}</Text> : null}
            </Stack>
            {actions ? <Group gap="xs">{actions}</Group> : null}
        </Group>
    );
}

const ROLE_COLORS: Record<string, string> = {
    super_admin: 'grape',
    moderator: 'blue',
    customer_support: 'teal',
    support_bot: 'gray',
};

export function RoleBadge({ role }: { role: string }) {
    const { tx } = useI18n();
    return (
        <Badge color={ROLE_COLORS[role] ?? 'gray'} variant="light">
            {tx(`role.${role}`, role)}
        </Badge>
    );
}

const STATUS_COLORS: Record<string, string> = {
    active: 'green',
    pending: 'blue',
    accepted: 'green',
    banned: 'red',
    disabled: 'red',
    revoked: 'gray',
    expired: 'gray',
    unpaid: 'orange',
    paid: 'blue',
    delivered: 'green',
    cancelled: 'gray',
    refunded: 'grape',
    succeeded: 'green',
    failed: 'red',
    redeemed: 'blue',
    inactive: 'gray',
    scheduled: 'blue',
    exhausted: 'orange',
    archived: 'gray',
    live: 'green',
    enabled: 'green',
};

export function StatusBadge({ status }: { status: string }) {
    const { tx } = useI18n();
    return (
        <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" data-testid="status">
            {tx(`status.${status}`, status)}
        </Badge>
    );
}

export function YesNo({ value }: { value: boolean }) {
    const { t } = useI18n();
    return (
        <Badge color={value ? 'green' : 'gray'} variant="light">
            {value ? t('common.yes') : t('common.no')}
        </Badge>
    );
}

/** An instant in the browser's time zone, with the exact UTC value on hover. */
export function When({ value }: { value: Date | null | undefined }) {
    const { locale } = useI18n();
    if (!value) return <Text span inherit>—</Text>;
    return (
        <Text span inherit title={value.toISOString()}>
            <time dateTime={value.toISOString()}>{formatDateTime(value, locale)}</time>
        </Text>
    );
}

export function CopyButton({ value, label }: { value: string; label?: string }) {
    const { t } = useI18n();
    return (
        <MantineCopyButton value={value} timeout={1500}>
            {({ copied, copy }) => (
                <Tooltip label={copied ? t('common.copied') : (label ?? t('common.copy'))} withArrow>
                    <ActionIcon
                        variant="subtle"
                        color={copied ? 'teal' : 'gray'}
                        onClick={copy}
                        aria-label={label ?? t('common.copy')}
                    >
                        {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                    </ActionIcon>
                </Tooltip>
            )}
        </MantineCopyButton>
    );
}

export function Pager({
    page,
    hasPrev,
    nextCursor,
    onPrev,
    onNext,
    limit,
    onLimit,
}: {
    page: number;
    hasPrev: boolean;
    nextCursor: string | null | undefined;
    onPrev: () => void;
    onNext: (cursor: string) => void;
    limit?: number;
    onLimit?: (n: number) => void;
}) {
    const { t } = useI18n();
    return (
        <Group justify="space-between" mt="sm">
            <Group gap="xs">
                {onLimit ? (
                    <Select
                        aria-label={t('pager.pageSize')}
                        w={90}
                        size="xs"
                        data={PAGE_SIZES.map((s) => ({ value: s, label: s }))}
                        value={String(limit ?? 20)}
                        onChange={(v) => v && onLimit(Number(v))}
                        allowDeselect={false}
                    />
                ) : null}
                <Text size="sm">{t('pager.page', { page })}</Text>
            </Group>
            <Group gap="xs">
                <Button size="xs" variant="default" disabled={!hasPrev} onClick={onPrev}>
                    {t('pager.prev')}
                </Button>
                <Button size="xs" variant="default" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
                    {t('pager.next')}
                </Button>
            </Group>
        </Group>
    );
}

export function LanguageSwitch() {
    const { lang, setLang, t } = useI18n();
    return (
        <Select
            aria-label={t('lang.switch')}
            leftSection={<IconLanguage size={16} aria-hidden />}
            w={140}
            size="xs"
            data={LANGS.map((l) => ({ value: l.lang, label: l.label }))}
            value={lang}
            onChange={(v) => v && setLang(v as Lang)}
            allowDeselect={false}
            data-testid="lang-switch"
        />
    );
}
