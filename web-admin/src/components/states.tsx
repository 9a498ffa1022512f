// Loading, empty and error states shared by every screen. A 403 is shown as "not allowed",
// never as a blank page; every other error names its code and request id.

import { Alert, Button, Center, Code, Group, Loader, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconInbox, IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { asProblem, isForbidden, problemCode, problemMessage } from '../api/errors';
import { useI18n } from '../i18n';

export function FullPageLoader() {
    const { t } = useI18n();
    return (
        <Center h="100vh" role="status" aria-live="polite">
            <Stack align="center" gap="xs">
                <Loader aria-hidden />
                <Text>{t('common.loading')}</Text>
            </Stack>
        </Center>
    );
}

export function TableSkeleton({ rows = 5 }: { rows?: number }) {
    const { t } = useI18n();
    return (
        <Stack gap="xs" role="status" aria-label={t('common.loading')} data-testid="loading">
            {Array.from({ length: rows }, (_, i) => (
                <Skeleton key={i} height={28} radius="sm" />
            ))}
        </Stack>
    );
}

export function EmptyState({ children }: { children?: ReactNode }) {
    const { t } = useI18n();
    return (
        <Center py="xl" data-testid="empty">
            <Stack align="center" gap={4}>
                <IconInbox size={32} aria-hidden />
                <Text>{children ?? t('common.empty')}</Text>
            </Stack>
        </Center>
    );
}

export function Forbidden({ permission }: { permission?: string }) {
    const { t } = useI18n();
    return (
        <Center py="xl" data-testid="forbidden">
            <Stack align="center" gap="xs" maw={480}>
                <IconLock size={36} aria-hidden />
                <Title order={2} size="h3">
                    {t('forbidden.title')}
                </Title>
                <Text ta="center">{t('forbidden.body')}</Text>
                {permission ? (
                    <Text size="sm">
                        {t('forbidden.needs')} <Code>{permission}</Code>
                    </Text>
                ) : null}
            </Stack>
        </Center>
    );
}

/** Where a list or detail could not be loaded. */
export function ProblemState({ error, onRetry, fullPage }: { error: unknown; onRetry?: () => void; fullPage?: boolean }) {
    const { t, tx } = useI18n();
    if (isForbidden(error)) {
        const detail = asProblem(error)?.detail ?? '';
        const permission = /`([a-z_.]+)`/.exec(detail)?.[1];
        return <Forbidden {...(permission ? { permission } : {})} />;
    }
    const p = asProblem(error);
    const body = (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} title={t('error.title')} data-testid="problem" role="alert">
            <Stack gap="xs">
                <Text size="sm">{problemMessage(error, tx)}</Text>
                <Text size="xs">
                    {t('error.code')}: <Code>{problemCode(error)}</Code>
                    {p?.requestId ? (
                        <>
                            {' · '}
                            {t('error.requestId')}: <Code>{p.requestId}</Code>
                        </>
                    ) : null}
                </Text>
                {onRetry ? (
                    <Group>
                        <Button size="xs" variant="default" onClick={onRetry}>
                            {t('common.retry')}
                        </Button>
                    </Group>
                ) : null}
            </Stack>
        </Alert>
    );
    return fullPage ? (
        <Center h="100vh" p="md">
            <div style={{ maxWidth: 560, width: '100%' }}>{body}</div>
        </Center>
    ) : (
        body
    );
}

/**
 * An inline error under a form or in a dialog (null when there is none); `explain` may word a
 * problem the screen knows better (e.g. what a 409 means there).
 */
export function ProblemAlert({ error, explain }: { error: unknown; explain?: (error: unknown) => string | undefined }) {
    const { t, tx } = useI18n();
    if (!error) return null;
    if (isForbidden(error)) {
        return (
            <Alert color="red" icon={<IconLock aria-hidden />} title={t('forbidden.title')} role="alert" data-testid="problem">
                {t('forbidden.action')}
            </Alert>
        );
    }
    const p = asProblem(error);
    return (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert" data-testid="problem">
            <Text size="sm">{explain?.(error) ?? problemMessage(error, tx)}</Text>
            {p?.requestId ? (
                <Text size="xs" mt={4}>
                    {t('error.requestId')}: <Code>{p.requestId}</Code>
                </Text>
            ) : null}
        </Alert>
    );
}
