// Announcements (announcements.read; changes announcements.write): live / not-live and group
// filters in the URL; a form for title, body, target groups (empty = everyone), pinned,
// priority 0–100, publish and expiry times (the browser's zone) and an optional e-mail in the
// marketing or service category; delete with a confirmation.

import type { AdminAnnouncement } from '@helium/sdk';
import { ActionIcon, Badge, Button, Group, Modal, MultiSelect, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Switch, Table, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { IconPencil, IconPin, IconPlus, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors } from '../api/errors';
import { service } from '../api/service';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { fromLocalInput, toLocalInput } from '../lib/format';
import { EMAIL_CATEGORIES } from '../lib/service';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['active', 'group', 'new', 'edit'] as const;

function AnnouncementModal({ opened, onClose, editing }: { opened: boolean; onClose: () => void; editing: AdminAnnouncement | null }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const groups = useGroups();
    const [title, setTitle] = useState('');
    const [body, setBody] = useState('');
    const [groupIds, setGroupIds] = useState<string[]>([]);
    const [pinned, setPinned] = useState(false);
    const [priority, setPriority] = useState<number | string>(0);
    const [publishAt, setPublishAt] = useState('');
    const [expiresAt, setExpiresAt] = useState('');
    const [email, setEmail] = useState(false);
    const [category, setCategory] = useState('marketing');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (!opened) return;
        setTitle(editing?.title ?? '');
        setBody(editing?.body ?? '');
        setGroupIds(editing?.groupIds ?? []);
        setPinned(editing?.pinned ?? false);
        setPriority(editing?.priority ?? 0);
        setPublishAt(editing ? toLocalInput(editing.publishAt) : '');
        setExpiresAt(editing?.expiresAt ? toLocalInput(editing.expiresAt) : '');
        setEmail(editing?.email ?? false);
        setCategory(editing?.emailCategory ?? 'marketing');
        setTouched(false);
    }, [opened, editing]);

    const prio = typeof priority === 'number' ? priority : Number.NaN;
    const publish = publishAt ? fromLocalInput(publishAt) : null;
    const expires = expiresAt ? fromLocalInput(expiresAt) : null;
    const local: Record<string, string | undefined> = {
        title: !title.trim() ? t('field.required') : undefined,
        body: !body.trim() ? t('field.required') : undefined,
        priority: !Number.isInteger(prio) || prio < 0 || prio > 100 ? t('announcements.priorityInvalid') : undefined,
        expires_at: expires && expires.getTime() <= (publish ?? new Date()).getTime() ? t('announcements.expiresBeforePublish') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);
    const save = useMutation({
        mutationFn: () => {
            const common = {
                title: title.trim(),
                body,
                groupIds,
                pinned,
                priority: prio,
                email,
                emailCategory: category,
            };
            if (editing) {
                return service.notify.adminUpdateAnnouncement({
                    id: editing.id,
                    updateAnnouncementRequest: { ...common, ...(publish ? { publishAt: publish } : {}), expiresAt: expires },
                });
            }
            return service.notify.adminCreateAnnouncement({
                createAnnouncementRequest: { ...common, ...(publish ? { publishAt: publish } : {}), ...(expires ? { expiresAt: expires } : {}) },
            });
        },
        onSuccess: (a) => {
            notify(editing ? t('announcements.saved', { title: a.title }) : t('announcements.created', { title: a.title }));
            void queryClient.invalidateQueries({ queryKey: ['announcements'] });
            onClose();
        },
    });
    const server = fieldErrors(save.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const close = () => {
        save.reset();
        onClose();
    };
    const emailed = editing?.emailedAt != null;
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={editing ? t('announcements.edit') : t('announcements.new')} centered size="lg">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid) save.mutate();
                }}
            >
                <Stack>
                    <TextInput label={t('announcements.titleField')} required maxLength={200} value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={err('title')} data-autofocus data-testid="ann-title" />
                    <Textarea label={t('announcements.body')} description={t('announcements.bodyHint')} required autosize minRows={4} maxLength={20_000} value={body} onChange={(e) => setBody(e.currentTarget.value)} error={err('body')} data-testid="ann-body" />
                    <MultiSelect
                        label={t('announcements.groups')}
                        description={t('announcements.groupsHint')}
                        placeholder={groupIds.length ? undefined : t('announcements.everyone')}
                        data={groups.items.map((g) => ({ value: g.id, label: g.name }))}
                        value={groupIds}
                        onChange={setGroupIds}
                        searchable
                        clearable
                        error={err('group_ids')}
                        data-testid="ann-groups"
                    />
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <NumberInput label={t('announcements.priority')} description={t('announcements.priorityHint')} min={0} max={100} allowDecimal={false} value={priority} onChange={setPriority} error={err('priority')} data-testid="ann-priority" />
                        <Switch mt="lg" label={t('announcements.pinned')} checked={pinned} onChange={(e) => setPinned(e.currentTarget.checked)} data-testid="ann-pinned" />
                        <TextInput type="datetime-local" label={t('announcements.publishAt')} description={t('announcements.publishHint')} value={publishAt} onChange={(e) => setPublishAt(e.currentTarget.value)} error={err('publish_at')} data-testid="ann-publish" />
                        <TextInput type="datetime-local" label={t('announcements.expiresAt')} description={t('announcements.expiresHint')} value={expiresAt} onChange={(e) => setExpiresAt(e.currentTarget.value)} error={err('expires_at')} data-testid="ann-expires" />
                    </SimpleGrid>
                    <Switch label={t('announcements.email')} description={emailed ? t('announcements.alreadyEmailed') : t('announcements.emailHint')} checked={email} disabled={emailed} onChange={(e) => setEmail(e.currentTarget.checked)} data-testid="ann-email" />
                    {email ? (
                        <Stack gap={4}>
                            <Text size="sm" fw={500}>
                                {t('announcements.emailCategory')}
                            </Text>
                            <SegmentedControl
                                aria-label={t('announcements.emailCategory')}
                                value={category}
                                onChange={setCategory}
                                disabled={emailed}
                                data={EMAIL_CATEGORIES.map((c) => ({ value: c, label: tx(`emailCategory.${c}`, c) }))}
                                data-testid="ann-category"
                            />
                            <Text size="xs">{t('announcements.emailCategoryHint')}</Text>
                        </Stack>
                    ) : null}
                    <ProblemAlert error={Object.keys(server).length ? null : save.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending} data-testid="ann-save">
                            {editing ? t('common.save') : t('announcements.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function AnnouncementsPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const groups = useGroups();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const [deleting, setDeleting] = useState<AdminAnnouncement | null>(null);
    const list = useQuery({
        queryKey: ['announcements', 'list', values.active, values.group, paging.cursor, paging.limit],
        queryFn: () =>
            service.notify.adminListAnnouncements({
                ...(values.active ? { active: values.active === 'true' } : {}),
                ...(values.group ? { groupId: values.group } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });
    const editing = useQuery({
        queryKey: ['announcements', 'detail', values.edit],
        queryFn: () => service.notify.adminGetAnnouncement({ id: values.edit }),
        enabled: values.edit !== '' && can('announcements.write'),
    });
    const remove = useMutation({
        mutationFn: (id: string) => service.notify.adminDeleteAnnouncement({ id }),
        onSuccess: () => {
            notify(t('announcements.deleted'));
            setDeleting(null);
            void queryClient.invalidateQueries({ queryKey: ['announcements'] });
        },
    });
    const writer = can('announcements.write');
    const groupName = (id: string) => groups.byId.get(id)?.name ?? id.slice(0, 8);

    return (
        <>
            <PageHeader
                title={t('announcements.title')}
                description={t('announcements.subtitle')}
                actions={
                    writer ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="ann-new">
                            {t('announcements.new')}
                        </Button>
                    ) : null
                }
            />
            {writer ? (
                <AnnouncementModal
                    opened={values.new === '1' || (values.edit !== '' && editing.data !== undefined)}
                    editing={values.edit ? (editing.data ?? null) : null}
                    onClose={() => set({ new: '', edit: '' }, { keepPage: true })}
                />
            ) : null}
            <ConfirmModal
                opened={deleting !== null}
                onClose={() => {
                    remove.reset();
                    setDeleting(null);
                }}
                title={t('announcements.deleteTitle')}
                message={t('announcements.deleteBody', { title: deleting?.title ?? '' })}
                confirmLabel={t('common.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => deleting && remove.mutate(deleting.id)}
            />
            <Paper withBorder p="md" mb="md">
                <Group align="flex-end" wrap="wrap">
                    <Select
                        label={t('announcements.liveFilter')}
                        data={[
                            { value: '', label: t('common.all') },
                            { value: 'true', label: t('announcements.liveOnly') },
                            { value: 'false', label: t('announcements.notLive') },
                        ]}
                        value={values.active}
                        onChange={(v) => set({ active: v ?? '' })}
                        allowDeselect={false}
                        w={200}
                        data-testid="ann-active-filter"
                    />
                    {can('catalog.read') ? (
                        <Select
                            label={t('announcements.groupFilter')}
                            data={[{ value: '', label: t('common.all') }, ...groups.items.map((g) => ({ value: g.id, label: g.name }))]}
                            value={values.group}
                            onChange={(v) => set({ group: v ?? '' })}
                            allowDeselect={false}
                            searchable
                            w={240}
                        />
                    ) : null}
                </Group>
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {editing.error ? <ProblemAlert error={editing.error} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('announcements.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={900}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="announcements-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('announcements.titleField')}</Table.Th>
                                    <Table.Th>{t('announcements.groups')}</Table.Th>
                                    <Table.Th>{t('announcements.priority')}</Table.Th>
                                    <Table.Th>{t('announcements.window')}</Table.Th>
                                    <Table.Th>{t('announcements.email')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    {writer ? <Table.Th>{t('common.actions')}</Table.Th> : null}
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((a) => (
                                    <Table.Tr key={a.id}>
                                        <Table.Td>
                                            <Group gap={4} wrap="nowrap">
                                                {a.pinned ? (
                                                    <Tooltip label={t('announcements.pinned')}>
                                                        <IconPin size={14} aria-label={t('announcements.pinned')} />
                                                    </Tooltip>
                                                ) : null}
                                                <Text size="sm" fw={600}>
                                                    {a.title}
                                                </Text>
                                            </Group>
                                        </Table.Td>
                                        <Table.Td>
                                            {a.groupIds.length === 0 ? (
                                                <Text size="sm">{t('announcements.everyone')}</Text>
                                            ) : (
                                                <Group gap={4}>
                                                    {a.groupIds.map((g) => (
                                                        <Badge key={g} variant="light" size="sm">
                                                            {groupName(g)}
                                                        </Badge>
                                                    ))}
                                                </Group>
                                            )}
                                        </Table.Td>
                                        <Table.Td>{a.priority}</Table.Td>
                                        <Table.Td>
                                            <Text size="sm">
                                                <When value={a.publishAt} /> – {a.expiresAt ? <When value={a.expiresAt} /> : t('announcements.noExpiry')}
                                            </Text>
                                        </Table.Td>
                                        <Table.Td>
                                            {a.email ? (
                                                <Badge variant="light" color={a.emailedAt ? 'green' : 'blue'} size="sm">
                                                    {a.emailedAt ? t('announcements.emailed') : t(a.emailCategory === 'service' ? 'emailCategory.service' : 'emailCategory.marketing')}
                                                </Badge>
                                            ) : (
                                                '—'
                                            )}
                                        </Table.Td>
                                        <Table.Td>
                                            <Badge color={a.active ? 'green' : 'gray'} variant="light" data-testid="ann-live">
                                                {a.active ? t('announcements.live') : t('announcements.notLiveBadge')}
                                            </Badge>
                                        </Table.Td>
                                        {writer ? (
                                            <Table.Td>
                                                <Group gap={4} wrap="nowrap">
                                                    <ActionIcon variant="subtle" aria-label={t('announcements.editOne', { title: a.title })} onClick={() => gate(() => set({ edit: a.id }, { keepPage: true }))} data-testid="ann-edit">
                                                        <IconPencil size={16} aria-hidden />
                                                    </ActionIcon>
                                                    <ActionIcon variant="subtle" color="red" aria-label={t('announcements.deleteOne', { title: a.title })} onClick={() => gate(() => setDeleting(a))} data-testid="ann-delete">
                                                        <IconTrash size={16} aria-hidden />
                                                    </ActionIcon>
                                                </Group>
                                            </Table.Td>
                                        ) : null}
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
