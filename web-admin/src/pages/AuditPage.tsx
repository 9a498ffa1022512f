// The audit log (audit.read): every staff write, newest first; filters (actor, action, target,
// time range in the browser's zone) in the URL; each row opens to the diff of before/after.

import type { AuditEvent } from '@helium/sdk';
import { ActionIcon, Anchor, Badge, Button, Code, Collapse, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { api } from '../api/client';
import { AuditDiff } from '../components/AuditDiff';
import { PageHeader, Pager, When } from '../components/bits';
import { EmptyState, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { fromLocalInput, shortId, toLocalInput } from '../lib/format';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['actor_id', 'action', 'target_type', 'target_id', 'from', 'to'] as const;
type Key = (typeof KEYS)[number];

function isoToLocal(iso: string): string {
    return iso ? toLocalInput(new Date(iso)) : '';
}

export default function AuditPage() {
    const { t, tx } = useI18n();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [draft, setDraft] = useState<Record<Key, string>>(values);
    const [open, setOpen] = useState<string | null>(null);
    useEffect(() => setDraft(values), [values]);

    const list = useQuery({
        queryKey: ['audit', values, paging.cursor, paging.limit],
        queryFn: () => {
            const from = values.from ? new Date(values.from) : null;
            const to = values.to ? new Date(values.to) : null;
            return api.audit.adminListAuditEvents({
                ...(values.actor_id ? { actorId: values.actor_id } : {}),
                ...(values.action ? { action: values.action } : {}),
                ...(values.target_type ? { targetType: values.target_type } : {}),
                ...(values.target_id ? { targetId: values.target_id } : {}),
                ...(from && !Number.isNaN(from.getTime()) ? { from } : {}),
                ...(to && !Number.isNaN(to.getTime()) ? { to } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            });
        },
        placeholderData: keepPreviousData,
    });

    const apply = (e: FormEvent) => {
        e.preventDefault();
        set({ ...draft });
    };
    const field = (k: Key) => ({
        value: draft[k],
        onChange: (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: e.currentTarget.value }),
    });
    const timeField = (k: 'from' | 'to') => ({
        value: isoToLocal(draft[k]),
        onChange: (e: ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: fromLocalInput(e.currentTarget.value)?.toISOString() ?? '' }),
    });
    const actorLabel = (e: AuditEvent) => `${tx(`actor.${e.actor.type}`, e.actor.type)}${e.actor.role ? ` · ${tx(`role.${e.actor.role}`, e.actor.role)}` : ''}`;

    return (
        <>
            <PageHeader title={t('audit.title')} description={t('audit.subtitle')} />
            <Paper withBorder p="md" mb="md">
                <form onSubmit={apply} aria-label={t('audit.filters')}>
                    <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                        <TextInput label={t('audit.actorId')} {...field('actor_id')} />
                        <TextInput label={t('audit.action')} placeholder={t('audit.actionExample')} {...field('action')} data-testid="filter-action" />
                        <TextInput label={t('audit.targetType')} placeholder={t('audit.targetTypeExample')} {...field('target_type')} data-testid="filter-target-type" />
                        <TextInput label={t('audit.targetId')} {...field('target_id')} data-testid="filter-target-id" />
                        <TextInput type="datetime-local" label={t('audit.from')} {...timeField('from')} />
                        <TextInput type="datetime-local" label={t('audit.to')} {...timeField('to')} />
                    </SimpleGrid>
                    <Group mt="md" gap="xs">
                        <Button type="submit" data-testid="filter-apply">
                            {t('common.apply')}
                        </Button>
                        <Button variant="default" onClick={() => set({ actor_id: '', action: '', target_type: '', target_id: '', from: '', to: '' })}>
                            {t('common.clear')}
                        </Button>
                    </Group>
                </form>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('audit.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={900}>
                        <Table verticalSpacing="xs" data-testid="audit-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th w={40}>
                                        <span className="sr-only">{t('audit.details')}</span>
                                    </Table.Th>
                                    <Table.Th>{t('audit.at')}</Table.Th>
                                    <Table.Th>{t('audit.actor')}</Table.Th>
                                    <Table.Th>{t('audit.action')}</Table.Th>
                                    <Table.Th>{t('audit.target')}</Table.Th>
                                    <Table.Th>{t('audit.reason')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((e) => {
                                    const expanded = open === e.id;
                                    return (
                                        <Fragment key={e.id}>
                                            <Table.Tr data-testid="audit-row" data-action={e.action}>
                                                <Table.Td>
                                                    <ActionIcon
                                                        variant="subtle"
                                                        color="gray"
                                                        onClick={() => setOpen(expanded ? null : e.id)}
                                                        aria-expanded={expanded}
                                                        aria-controls={`audit-${e.id}`}
                                                        aria-label={expanded ? t('audit.hideChanges') : t('audit.showChanges')}
                                                        data-testid="audit-expand"
                                                    >
                                                        {expanded ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
                                                    </ActionIcon>
                                                </Table.Td>
                                                <Table.Td>
                                                    <When value={e.at} />
                                                </Table.Td>
                                                <Table.Td>
                                                    <Stack gap={0}>
                                                        <Text size="sm">{actorLabel(e)}</Text>
                                                        {e.actor.id ? (
                                                            <Anchor component="button" type="button" size="xs" className="mono" onClick={() => set({ actor_id: e.actor.id ?? '' })} title={e.actor.id}>
                                                                {shortId(e.actor.id)}
                                                            </Anchor>
                                                        ) : null}
                                                    </Stack>
                                                </Table.Td>
                                                <Table.Td>
                                                    <Badge variant="outline" color="gray" tt="none">
                                                        {e.action}
                                                    </Badge>
                                                </Table.Td>
                                                <Table.Td>
                                                    <Anchor
                                                        component="button"
                                                        type="button"
                                                        size="sm"
                                                        onClick={() => set({ target_type: e.target.type, target_id: e.target.id ?? '' })}
                                                        title={e.target.id ?? undefined}
                                                    >
                                                        {e.target.type}
                                                        {e.target.id ? ` · ${shortId(e.target.id)}` : ''}
                                                    </Anchor>
                                                </Table.Td>
                                                <Table.Td data-testid="audit-reason">{e.reason ?? '—'}</Table.Td>
                                            </Table.Tr>
                                            <Table.Tr>
                                                <Table.Td colSpan={6} p={0} style={{ borderTop: expanded ? undefined : 'none' }}>
                                                    <Collapse expanded={expanded} id={`audit-${e.id}`}>
                                                        {expanded ? (
                                                            <Stack p="sm" gap="xs">
                                                                <AuditDiff before={e.before} after={e.after} />
                                                                <Text size="xs">
                                                                    {t('error.requestId')}: <Code>{e.requestId ?? '—'}</Code> · {t('customer.ip')}: <Code>{e.ip ?? '—'}</Code>
                                                                    {e.userAgent ? <> · {e.userAgent}</> : null}
                                                                </Text>
                                                            </Stack>
                                                        ) : null}
                                                    </Collapse>
                                                </Table.Td>
                                            </Table.Tr>
                                        </Fragment>
                                    );
                                })}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                ) : null}
                {list.data ? (
                    <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} />
                ) : null}
            </Paper>
        </>
    );
}
