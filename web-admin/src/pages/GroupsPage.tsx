// Customer groups (catalog.read; changes catalog.write): who sees which products, and the node
// groups a package opens. The default group takes every new customer, the public group is what
// visitors see; neither can be deleted, nor can a group still in use (409 group_in_use).

import type { Group as CustomerGroup } from '@helium/sdk';
import { Badge, Button, Group, Modal, Paper, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useCursorPaging } from '../lib/urlState';

/** Create (no `group`) or edit a group. */
function GroupModal({ opened, group, onClose }: { opened: boolean; group: CustomerGroup | null; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [name, setName] = useState('');
    const [description, setDescription] = useState('');
    useEffect(() => {
        if (opened) {
            setName(group?.name ?? '');
            setDescription(group?.description ?? '');
        }
    }, [opened, group]);
    const save = useMutation({
        mutationFn: () => {
            const desc = description.trim() || null;
            return group
                ? api.customers.adminUpdateGroup({ id: group.id, groupUpdateRequest: { name: name.trim(), description: desc } })
                : api.customers.adminCreateGroup({ groupCreateRequest: { name: name.trim(), description: desc } });
        },
        onSuccess: (g) => {
            notify(group ? t('common.saved') : t('groups.created', { name: g.name }));
            void queryClient.invalidateQueries({ queryKey: ['groups'] });
            onClose();
        },
    });
    const fields = fieldErrors(save.error, tx);
    const close = () => {
        save.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={group ? t('groups.edit') : t('groups.new')} centered>
            <form
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    save.mutate();
                }}
            >
                <Stack>
                    <TextInput label={t('common.name')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} data-autofocus data-testid="group-name" />
                    <Textarea label={t('common.description')} autosize minRows={2} maxLength={1000} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fields.description} />
                    <ProblemAlert error={Object.keys(fields).length ? null : save.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending} data-testid="group-save">
                            {group ? t('common.save') : t('groups.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function GroupsPage() {
    const { t } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const paging = useCursorPaging();
    const queryClient = useQueryClient();
    const [editing, setEditing] = useState<CustomerGroup | 'new' | null>(null);
    const [deleting, setDeleting] = useState<CustomerGroup | null>(null);
    const writable = can('catalog.write');
    const list = useQuery({
        queryKey: ['groups', 'list', paging.cursor, paging.limit],
        queryFn: () => api.customers.adminListGroups({ limit: paging.limit, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    const remove = useMutation({
        mutationFn: (id: string) => api.customers.adminDeleteGroup({ id }),
        onSuccess: () => {
            setDeleting(null);
            notify(t('groups.deleted'));
            void queryClient.invalidateQueries({ queryKey: ['groups'] });
        },
    });

    return (
        <>
            <PageHeader
                title={t('groups.title')}
                description={t('groups.subtitle')}
                actions={
                    writable ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => setEditing('new'))} data-testid="group-new">
                            {t('groups.new')}
                        </Button>
                    ) : null
                }
            />
            <GroupModal opened={editing !== null} group={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('groups.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={720}>
                        <Table striped verticalSpacing="xs" data-testid="groups-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('common.description')}</Table.Th>
                                    <Table.Th>{t('groups.flags')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                    {writable ? <Table.Th>{t('common.actions')}</Table.Th> : null}
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((g) => (
                                    <Table.Tr key={g.id}>
                                        <Table.Td fw={600}>{g.name}</Table.Td>
                                        <Table.Td>
                                            <Text size="sm" lineClamp={2}>
                                                {g.description ?? '—'}
                                            </Text>
                                        </Table.Td>
                                        <Table.Td>
                                            <Group gap={4}>
                                                {g.isDefault ? (
                                                    <Badge variant="light" color="blue" title={t('groups.defaultHint')}>
                                                        {t('groups.default')}
                                                    </Badge>
                                                ) : null}
                                                {g.isPublic ? (
                                                    <Badge variant="light" color="teal" title={t('groups.publicHint')}>
                                                        {t('groups.public')}
                                                    </Badge>
                                                ) : null}
                                            </Group>
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={g.createdAt} />
                                        </Table.Td>
                                        {writable ? (
                                            <Table.Td>
                                                <Group gap={4} wrap="nowrap">
                                                    <Button size="xs" variant="subtle" onClick={() => gate(() => setEditing(g))} aria-label={t('groups.editFor', { name: g.name })}>
                                                        {t('common.edit')}
                                                    </Button>
                                                    <Button
                                                        size="xs"
                                                        variant="subtle"
                                                        color="red"
                                                        disabled={g.isDefault || g.isPublic}
                                                        onClick={() => gate(() => setDeleting(g))}
                                                        aria-label={t('groups.deleteFor', { name: g.name })}
                                                    >
                                                        {t('common.delete')}
                                                    </Button>
                                                </Group>
                                            </Table.Td>
                                        ) : null}
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                ) : null}
                {list.data ? (
                    <Pager page={paging.page} hasPrev={paging.hasPrev} nextCursor={list.data.nextCursor} onPrev={paging.prev} onNext={paging.next} limit={paging.limit} onLimit={paging.setLimit} />
                ) : null}
            </Paper>
            <ConfirmModal
                opened={deleting !== null}
                onClose={() => {
                    setDeleting(null);
                    remove.reset();
                }}
                title={t('groups.deleteTitle')}
                message={t('groups.deleteBody', { name: deleting?.name ?? '' })}
                confirmLabel={t('common.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => deleting && remove.mutate(deleting.id)}
            />
        </>
    );
}
