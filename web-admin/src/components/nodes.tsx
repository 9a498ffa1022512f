// Pieces the node screens share: tags, maintenance and online badges, an agent's load, a
// server named by id, and the table of node clients (the clients list and a server's page).

import type { NodeClient } from '@helium/sdk';
import { Anchor, Badge, Group, Progress, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { useI18n } from '../i18n';
import { formatNumber } from '../lib/format';
import { loadPercents, showRate } from '../lib/telecom';
import { When, YesNo } from './bits';
import { GroupBadges } from './commerce';

export function TagList({ tags }: { tags: readonly string[] }) {
    if (tags.length === 0) return <Text span size="sm">—</Text>;
    return (
        <Group gap={4}>
            {tags.map((tag) => (
                <Badge key={tag} variant="outline" color="gray" size="sm" tt="none">
                    {tag}
                </Badge>
            ))}
        </Group>
    );
}

export function MaintenanceBadge({ on, message, until }: { on: boolean; message?: string | null; until?: Date | null }) {
    const { t } = useI18n();
    if (!on) {
        return (
            <Badge color="green" variant="light" data-testid="maintenance-badge" data-maintenance="false">
                {t('nodeServers.inService')}
            </Badge>
        );
    }
    const badge = (
        <Badge color="orange" variant="light" data-testid="maintenance-badge" data-maintenance="true">
            {t('nodes.maintenance')}
        </Badge>
    );
    return message || until ? (
        <Tooltip
            withArrow
            label={
                <>
                    {message ? <div>{message}</div> : null}
                    {until ? (
                        <div>
                            {t('maintenance.untilShort')} <When value={until} />
                        </div>
                    ) : null}
                </>
            }
        >
            {badge}
        </Tooltip>
    ) : (
        badge
    );
}

export function OnlineBadge({ online }: { online: boolean }) {
    const { t } = useI18n();
    return (
        <Badge color={online ? 'green' : 'gray'} variant="light" data-testid="online-badge" data-online={String(online)}>
            {online ? t('nodes.online') : t('nodes.offline')}
        </Badge>
    );
}

function LoadBar({ label, value }: { label: string; value: number | null }) {
    const { locale } = useI18n();
    if (value === null) return null;
    const color = value >= 90 ? 'red' : value >= 70 ? 'orange' : 'teal';
    const pct = `${formatNumber(Math.round(value * 10) / 10, locale)}%`;
    return (
        <div>
            <Group justify="space-between" gap={4} wrap="nowrap">
                <Text size="xs">{label}</Text>
                <Text size="xs" fw={600}>
                    {pct}
                </Text>
            </Group>
            <Progress value={value} color={color} size="sm" aria-label={`${label} ${pct}`} />
        </div>
    );
}

/** CPU, memory and disk use from an agent's last `status` report; a dash without one. */
export function LoadSummary({ load }: { load: unknown }) {
    const { t } = useI18n();
    const l = loadPercents(load);
    if (!l) return <Text span size="sm">—</Text>;
    return (
        <Stack gap={4} miw={140} data-testid="load">
            <LoadBar label={t('nodeStatus.cpu')} value={l.cpu} />
            <LoadBar label={t('nodeStatus.mem')} value={l.mem} />
            <LoadBar label={t('nodeStatus.disk')} value={l.disk} />
        </Stack>
    );
}

/** A server's name linking to its page (its id's first characters while the lookup loads). */
export function ServerLink({ id, names }: { id: string; names: ReadonlyMap<string, { name: string }> }) {
    return (
        <Anchor component={Link} to={`/nodes/servers/${id}`} size="sm">
            {names.get(id)?.name ?? id.slice(0, 8)}
        </Anchor>
    );
}

/** Node clients: name, protocol, server (unless `hideServer`), node id, port, groups, health. */
export function ClientsTable({
    clients,
    servers,
    groups,
    hideServer,
}: {
    clients: readonly NodeClient[];
    servers: ReadonlyMap<string, { name: string }>;
    groups: ReadonlyMap<string, { name: string }>;
    hideServer?: boolean;
}) {
    const { t, tx } = useI18n();
    return (
        <Table.ScrollContainer minWidth={960}>
            <Table striped highlightOnHover verticalSpacing="xs" data-testid="clients-table">
                <Table.Thead>
                    <Table.Tr>
                        <Table.Th>{t('common.name')}</Table.Th>
                        <Table.Th>{t('nodeClients.protocol')}</Table.Th>
                        {hideServer ? null : <Table.Th>{t('nodeClients.server')}</Table.Th>}
                        <Table.Th>{t('nodeClients.nodeId')}</Table.Th>
                        <Table.Th>{t('nodeClients.port')}</Table.Th>
                        <Table.Th>{t('nodeClients.groups')}</Table.Th>
                        <Table.Th>{t('nodes.rate')}</Table.Th>
                        <Table.Th>{t('nodeClients.shown')}</Table.Th>
                        <Table.Th>{t('nodes.health')}</Table.Th>
                        <Table.Th>{t('nodes.lastPull')}</Table.Th>
                    </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                    {clients.map((c) => (
                        <Table.Tr key={c.id} data-testid="client-row">
                            <Table.Td>
                                <Anchor component={Link} to={`/nodes/clients/${c.id}`} size="sm" fw={600}>
                                    {c.name}
                                </Anchor>
                            </Table.Td>
                            <Table.Td>
                                <Badge variant="light" color="blue" tt="none">
                                    {tx(`protocol.${c.protocol}`, c.protocol)}
                                </Badge>
                            </Table.Td>
                            {hideServer ? null : (
                                <Table.Td>
                                    <ServerLink id={c.serverId} names={servers} />
                                </Table.Td>
                            )}
                            <Table.Td className="mono">{c.nodeId}</Table.Td>
                            <Table.Td className="mono">{c.port}</Table.Td>
                            <Table.Td>
                                <GroupBadges ids={c.groupIds} names={groups} />
                            </Table.Td>
                            <Table.Td>{c.rate ? t('nodes.rateValue', { rate: showRate(c.rate) }) : t('nodeClients.serverRate')}</Table.Td>
                            <Table.Td>
                                <YesNo value={c.show} />
                            </Table.Td>
                            <Table.Td>
                                <OnlineBadge online={c.online} />
                            </Table.Td>
                            <Table.Td>
                                <When value={c.lastPullAt} />
                            </Table.Td>
                        </Table.Tr>
                    ))}
                </Table.Tbody>
            </Table>
        </Table.ScrollContainer>
    );
}
