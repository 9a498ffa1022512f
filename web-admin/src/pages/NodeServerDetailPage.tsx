// One node server with its clients. Changes (nodes.write): edit, maintenance (message and
// expected end; its nodes leave subscriptions meanwhile), add a client, delete — only a server
// without clients (409 server_has_clients explained).

import { Alert, Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconPlus, IconTool } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { problemCode } from '../api/errors';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, When } from '../components/bits';
import { Field } from '../components/commerce';
import { ConfirmModal } from '../components/dialogs';
import { NewNodeClientModal } from '../components/NodeClientForm';
import { ClientsTable, MaintenanceBadge, TagList } from '../components/nodes';
import { MaintenanceModal, NodeServerModal } from '../components/NodeServerForm';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { showRate } from '../lib/telecom';

type Action = 'edit' | 'maintenance' | 'delete' | 'client' | null;

export default function NodeServerDetailPage() {
    const { id = '' } = useParams();
    const { t } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const groups = useGroups();
    const [action, setAction] = useState<Action>(null);
    const detail = useQuery({ queryKey: ['nodes', 'servers', 'detail', id], queryFn: () => telecom.adminGetNodeServer({ id }) });
    const remove = useMutation({
        mutationFn: () => telecom.adminDeleteNodeServer({ id }),
        onSuccess: () => {
            void queryClient.invalidateQueries({ queryKey: ['nodes'] });
            notify(t('nodeServers.deleted'));
            navigate('/nodes/servers', { replace: true });
        },
        // The clients the server still has: show them as they are now.
        onError: (e) => {
            if (problemCode(e) === 'server_has_clients') void detail.refetch();
        },
    });
    const close = () => {
        setAction(null);
        remove.reset();
    };

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const s = detail.data;
    const writable = can('nodes.write');
    const names = new Map([[s.id, s]]);

    return (
        <Stack>
            <PageHeader
                title={s.name}
                description={s.address}
                actions={
                    writable ? (
                        <>
                            <Button variant="default" onClick={() => gate(() => setAction('edit'))} data-testid="server-edit">
                                {t('common.edit')}
                            </Button>
                            <Button color="orange" variant="light" leftSection={<IconTool size={16} aria-hidden />} onClick={() => gate(() => setAction('maintenance'))} data-testid="server-maintenance">
                                {s.maintenance ? t('maintenance.manage') : t('maintenance.start')}
                            </Button>
                            <Button color="red" variant="outline" onClick={() => gate(() => setAction('delete'))} data-testid="server-delete">
                                {t('common.delete')}
                            </Button>
                        </>
                    ) : null
                }
            />
            {s.maintenance ? (
                <Alert color="orange" title={t('maintenance.onTitle')} data-testid="maintenance-alert">
                    <Stack gap={4}>
                        <Text size="sm">{t('maintenance.onBody')}</Text>
                        {s.maintenanceMessage ? (
                            <Text size="sm" fw={600} data-testid="maintenance-message-shown">
                                {s.maintenanceMessage}
                            </Text>
                        ) : null}
                        {s.maintenanceUntil ? (
                            <Text size="sm">
                                {t('maintenance.untilShort')} <When value={s.maintenanceUntil} />
                            </Text>
                        ) : null}
                    </Stack>
                </Alert>
            ) : null}
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono" size="sm">
                                {s.id}
                            </Text>
                            <CopyButton value={s.id} />
                        </Group>
                    </Field>
                    <Field label={t('nodes.address')}>
                        <Text className="mono" size="sm" data-testid="server-address-value">
                            {s.address}
                        </Text>
                    </Field>
                    <Field label={t('nodes.region')}>
                        <Text size="sm">{s.region ?? '—'}</Text>
                    </Field>
                    <Field label={t('nodes.rate')}>
                        <Text size="sm" data-testid="server-rate-value">
                            {t('nodes.rateValue', { rate: showRate(s.rate) })}
                        </Text>
                    </Field>
                    <Field label={t('nodes.tags')}>
                        <TagList tags={s.tags} />
                    </Field>
                    <Field label={t('common.status')}>
                        <MaintenanceBadge on={s.maintenance} message={s.maintenanceMessage} until={s.maintenanceUntil} />
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={s.createdAt} />
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={s.updatedAt} />
                    </Field>
                    {can('audit.read') ? (
                        <Field label={t('nav.audit')}>
                            <Anchor component={Link} to={`/audit?target_type=node_server&target_id=${s.id}`} size="sm">
                                {t('nodeServer.auditHistory')}
                            </Anchor>
                        </Field>
                    ) : null}
                </SimpleGrid>
            </Card>
            <Card withBorder>
                <Group justify="space-between" mb="sm">
                    <Title order={2} size="h4">
                        {t('nodeServer.clients', { count: s.clients.length })}
                    </Title>
                    <Group gap="xs">
                        <Anchor component={Link} to={`/nodes/status?server=${s.id}`} size="sm">
                            {t('nodeServer.statusLink')}
                        </Anchor>
                        {writable ? (
                            <Button size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => gate(() => setAction('client'))} data-testid="server-add-client">
                                {t('nodeClients.new')}
                            </Button>
                        ) : null}
                    </Group>
                </Group>
                {s.clients.length === 0 ? <EmptyState>{t('nodeServer.noClients')}</EmptyState> : <ClientsTable clients={s.clients} servers={names} groups={groups.byId} hideServer />}
            </Card>
            <NodeServerModal opened={action === 'edit'} server={s} onClose={() => setAction(null)} />
            <MaintenanceModal opened={action === 'maintenance'} server={s} onClose={() => setAction(null)} />
            <NewNodeClientModal opened={action === 'client'} serverId={s.id} onClose={() => setAction(null)} />
            <ConfirmModal
                opened={action === 'delete'}
                onClose={close}
                title={t('nodeServer.deleteTitle')}
                message={s.clients.length ? t('nodeServer.deleteBodyClients', { name: s.name, count: s.clients.length }) : t('nodeServer.deleteBody', { name: s.name })}
                confirmLabel={t('common.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => remove.mutate()}
            />
        </Stack>
    );
}
