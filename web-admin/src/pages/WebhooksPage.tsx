// Outgoing webhook endpoints (webhooks.manage, SuperAdmins): the list; a new endpoint's
// signing secret is shown once, in a dialog with a copy button, and never again.

import { Anchor, Badge, Button, Group, Paper, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { service } from '../api/service';
import { useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { SecretModal, WebhookFormModal } from '../components/webhooks';
import { useI18n } from '../i18n';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['new'] as const;

export default function WebhooksPage() {
    const { t } = useI18n();
    const gate = useWriteGate();
    const navigate = useNavigate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
    const list = useQuery({
        queryKey: ['webhooks', 'list', paging.cursor, paging.limit],
        queryFn: () => service.webhooks.adminListWebhookEndpoints({ limit: paging.limit, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    return (
        <>
            <PageHeader
                title={t('webhooks.title')}
                description={t('webhooks.subtitle')}
                actions={
                    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="webhook-new">
                        {t('webhooks.new')}
                    </Button>
                }
            />
            <WebhookFormModal opened={values.new === '1'} endpoint={null} onClose={() => set({ new: '' }, { keepPage: true })} onCreated={(id, secret) => setCreated({ id, secret })} />
            <SecretModal
                secret={created?.secret ?? null}
                title={t('webhooks.createdTitle')}
                onClose={() => {
                    const id = created?.id;
                    setCreated(null);
                    if (id) void navigate(`/webhooks/${id}`);
                }}
            />
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('webhooks.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={900}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="webhooks-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('webhooks.url')}</Table.Th>
                                    <Table.Th>{t('webhooks.description')}</Table.Th>
                                    <Table.Th>{t('webhooks.events')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('webhooks.updated')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((w) => (
                                    <Table.Tr key={w.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/webhooks/${w.id}`} size="sm" fw={600} className="mono" style={{ overflowWrap: 'anywhere' }}>
                                                {w.url}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>
                                            <Text size="sm">{w.description ?? '—'}</Text>
                                        </Table.Td>
                                        <Table.Td>
                                            <Group gap={4}>
                                                {w.eventTypes.map((e) => (
                                                    <Badge key={e} variant="light" size="sm" tt="none">
                                                        {e === '*' ? t('webhooks.allEvents') : e}
                                                    </Badge>
                                                ))}
                                            </Group>
                                        </Table.Td>
                                        <Table.Td>
                                            <Badge color={w.enabled ? 'green' : 'gray'} variant="light">
                                                {w.enabled ? t('webhooks.on') : t('webhooks.off')}
                                            </Badge>
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={w.updatedAt} />
                                        </Table.Td>
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                ) : null}
                {list.data ? <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} /> : null}
            </Paper>
        </>
    );
}
