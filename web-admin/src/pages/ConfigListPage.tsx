// Module configuration documents (config.manage).

import { Anchor, Badge, Paper, Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client';
import { PageHeader, When } from '../components/bits';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';

export default function ConfigListPage() {
    const { t, tx } = useI18n();
    const list = useQuery({ queryKey: ['config'], queryFn: () => api.config.adminListConfig() });
    return (
        <>
            <PageHeader title={t('config.title')} description={t('config.subtitle')} />
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState /> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table striped verticalSpacing="xs" data-testid="config-table">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('config.key')}</Table.Th>
                                <Table.Th>{t('config.module')}</Table.Th>
                                <Table.Th>{t('config.version')}</Table.Th>
                                <Table.Th>{t('common.updated')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {list.data.items.map((c) => (
                                <Table.Tr key={c.key}>
                                    <Table.Td>
                                        <Anchor component={Link} to={`/config/${encodeURIComponent(c.key)}`} className="mono" data-testid={`config-${c.key}`}>
                                            {c.key}
                                        </Anchor>
                                    </Table.Td>
                                    <Table.Td>{tx(`config.module.${c.key}`, c.key)}</Table.Td>
                                    <Table.Td>
                                        <Badge variant="light" color="gray">
                                            v{c.version}
                                        </Badge>
                                    </Table.Td>
                                    <Table.Td>
                                        <When value={c.updatedAt} />
                                    </Table.Td>
                                </Table.Tr>
                            ))}
                        </Table.Tbody>
                    </Table>
                ) : null}
            </Paper>
        </>
    );
}
