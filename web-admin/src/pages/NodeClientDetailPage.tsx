// One node client: where it runs, its agent's last contact, and (nodes.write) its fields and
// protocol settings to edit, or delete it (its agent is answered 404 from then on). The REALITY
// private key reads as "" and is kept when saved as "".

import { Anchor, Badge, Button, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { telecom } from '../api/telecom';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, When, YesNo } from '../components/bits';
import { Field, GroupBadges } from '../components/commerce';
import { ConfirmModal } from '../components/dialogs';
import { checkClient, clientDraft, NodeClientFields, updateRequest, useClientErrors, type ClientDraft } from '../components/NodeClientForm';
import { OnlineBadge, ServerLink, TagList } from '../components/nodes';
import { useNotify } from '../components/notify';
import { ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { hopPortsOf, showRate } from '../lib/telecom';
import { useServerLookup } from '../lib/telecomQueries';

export default function NodeClientDetailPage() {
    const { id = '' } = useParams();
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const servers = useServerLookup();
    const groups = useGroups();
    const detail = useQuery({ queryKey: ['nodes', 'clients', 'detail', id], queryFn: () => telecom.adminGetNodeClient({ id }) });
    const [draft, setDraft] = useState<ClientDraft | null>(null);
    const [touched, setTouched] = useState(false);
    const [deleting, setDeleting] = useState(false);
    useEffect(() => {
        if (detail.data) setDraft(clientDraft(detail.data));
    }, [detail.data]);

    const c = detail.data;
    const checked = draft ? checkClient(draft, t) : null;
    const save = useMutation({
        mutationFn: () => {
            if (!c || !draft || !checked) throw new Error('not loaded');
            return telecom.adminUpdateNodeClient({ id, nodeClientUpdateRequest: updateRequest(c, draft, checked) });
        },
        onSuccess: (updated) => {
            queryClient.setQueryData(['nodes', 'clients', 'detail', id], updated);
            void queryClient.invalidateQueries({ queryKey: ['nodes', 'clients', 'list'] });
            void queryClient.invalidateQueries({ queryKey: ['nodes', 'servers', 'detail'] });
            void queryClient.invalidateQueries({ queryKey: ['nodes', 'status'] });
            setTouched(false);
            notify(t('common.saved'));
        },
    });
    const remove = useMutation({
        mutationFn: () => telecom.adminDeleteNodeClient({ id }),
        onSuccess: () => {
            void queryClient.invalidateQueries({ queryKey: ['nodes'] });
            notify(t('nodeClients.deleted'));
            navigate(c ? `/nodes/servers/${c.serverId}` : '/nodes/clients', { replace: true });
        },
    });
    const server = useClientErrors(save.error);

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error || !c) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const writable = can('nodes.write');
    const errors = { ...server.byField, ...(touched && checked ? checked.errors : {}) };
    const hop = hopPortsOf(c.hopPorts);
    const submit = (e: FormEvent) => {
        e.preventDefault();
        setTouched(true);
        if (checked && Object.keys(checked.errors).length === 0) gate(() => save.mutate());
    };

    return (
        <Stack>
            <PageHeader
                title={c.name}
                description={t('nodeClient.subtitle', { protocol: tx(`protocol.${c.protocol}`, c.protocol), port: c.port })}
                actions={
                    writable ? (
                        <Button color="red" variant="outline" onClick={() => gate(() => setDeleting(true))} data-testid="client-delete">
                            {t('common.delete')}
                        </Button>
                    ) : null
                }
            />
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono" size="sm">
                                {c.id}
                            </Text>
                            <CopyButton value={c.id} />
                        </Group>
                    </Field>
                    <Field label={t('nodeClients.server')}>
                        <ServerLink id={c.serverId} names={servers.byId} />
                    </Field>
                    <Field label={t('nodeClients.protocol')}>
                        <Badge variant="light" color="blue" tt="none" data-testid="client-protocol-badge">
                            {tx(`protocol.${c.protocol}`, c.protocol)}
                        </Badge>
                    </Field>
                    <Field label={t('nodeClients.nodeId')}>
                        <Text className="mono" size="sm" data-testid="client-node-id-value">
                            {c.nodeId}
                        </Text>
                    </Field>
                    <Field label={t('nodeClients.port')}>
                        <Text className="mono" size="sm">
                            {hop ? t('nodeClient.portWithHops', { port: c.port, start: hop.start, end: hop.end }) : c.port}
                        </Text>
                    </Field>
                    <Field label={t('nodes.health')}>
                        <OnlineBadge online={c.online} />
                    </Field>
                    <Field label={t('nodes.lastPull')}>
                        <When value={c.lastPullAt} />
                    </Field>
                    <Field label={t('nodes.lastPush')}>
                        <When value={c.lastPushAt} />
                    </Field>
                    <Field label={t('nodeClients.groups')}>
                        <GroupBadges ids={c.groupIds} names={groups.byId} />
                    </Field>
                    <Field label={t('nodes.tags')}>
                        <TagList tags={c.tags} />
                    </Field>
                    <Field label={t('nodes.rate')}>
                        <Text size="sm">{c.rate ? t('nodes.rateValue', { rate: showRate(c.rate) }) : t('nodeClients.serverRate')}</Text>
                    </Field>
                    <Field label={t('nodeClients.shown')}>
                        <YesNo value={c.show} />
                    </Field>
                    <Field label={t('nodeClients.sort')}>
                        <Text size="sm">{c.sort}</Text>
                    </Field>
                    <Field label={t('nodeClients.alivelistShape')}>
                        <Text size="sm">{tx(`alivelistShape.${c.alivelistShape}`, c.alivelistShape)}</Text>
                    </Field>
                    <Field label={t('nodeClient.routes')}>
                        <Text size="sm">{t('nodeClient.routesCount', { count: c.routes.length })}</Text>
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={c.updatedAt} />
                    </Field>
                    {can('audit.read') ? (
                        <Field label={t('nav.audit')}>
                            <Anchor component={Link} to={`/audit?target_type=node_client&target_id=${c.id}`} size="sm">
                                {t('nodeClient.auditHistory')}
                            </Anchor>
                        </Field>
                    ) : null}
                </SimpleGrid>
            </Card>
            {writable && draft ? (
                <Card withBorder>
                    <Title order={2} size="h4" mb="sm">
                        {t('nodeClient.edit')}
                    </Title>
                    <form onSubmit={submit} noValidate>
                        <Stack maw={860}>
                            <NodeClientFields draft={draft} onChange={setDraft} errors={errors} settingsErrors={server.settings} editing />
                            <ProblemAlert error={server.any ? null : save.error} />
                            <Group>
                                <Button type="submit" loading={save.isPending} data-testid="client-save">
                                    {t('common.save')}
                                </Button>
                                <Button
                                    variant="default"
                                    onClick={() => {
                                        setDraft(clientDraft(c));
                                        setTouched(false);
                                        save.reset();
                                    }}
                                >
                                    {t('nodeClient.revert')}
                                </Button>
                            </Group>
                        </Stack>
                    </form>
                </Card>
            ) : (
                <Card withBorder>
                    <Title order={2} size="h4" mb="sm">
                        {t('nodeClients.settings')}
                    </Title>
                    <Code block data-testid="client-settings-view">
                        {JSON.stringify(c.settings, null, 2)}
                    </Code>
                </Card>
            )}
            <ConfirmModal
                opened={deleting}
                onClose={() => {
                    setDeleting(false);
                    remove.reset();
                }}
                title={t('nodeClient.deleteTitle')}
                message={t('nodeClient.deleteBody', { name: c.name, nodeId: c.nodeId })}
                confirmLabel={t('common.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => remove.mutate()}
            />
        </Stack>
    );
}
