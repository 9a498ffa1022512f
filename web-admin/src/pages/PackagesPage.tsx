// Package series (catalog.read; changes catalog.write): a series is a plan ("Pro monthly") whose
// terms live in immutable, numbered versions; new sales deliver the published (current) one.
// Filter live / archived in the URL; a new series opens on its own page to add a version.

import { Anchor, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, StatusBadge, When } from '../components/bits';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['show', 'new'] as const;

function NewSeriesModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const [name, setName] = useState('');
    const [description, setDescription] = useState('');
    const create = useMutation({
        mutationFn: () =>
            commerce.catalog.adminCreatePackageSeries({ seriesCreateRequest: { name: name.trim(), description: description.trim() || null } }),
        onSuccess: (s) => {
            notify(t('packages.created', { name: s.name }));
            void queryClient.invalidateQueries({ queryKey: ['series'] });
            setName('');
            setDescription('');
            navigate(`/packages/${s.id}`, { replace: true });
        },
    });
    const fields = fieldErrors(create.error, tx);
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('packages.new')} centered>
            <form
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    create.mutate();
                }}
            >
                <Stack>
                    <Text size="sm">{t('packages.newHint')}</Text>
                    <TextInput label={t('common.name')} placeholder={t('packages.namePlaceholder')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} data-autofocus data-testid="series-name" />
                    <Textarea label={t('common.description')} autosize minRows={2} maxLength={1000} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fields.description} />
                    <ProblemAlert error={Object.keys(fields).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="series-create">
                            {t('packages.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function PackagesPage() {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const archived = values.show === 'archived' ? true : values.show === 'all' ? undefined : false;
    const list = useQuery({
        queryKey: ['series', 'list', values.show, paging.cursor, paging.limit],
        queryFn: () =>
            commerce.catalog.adminListPackageSeries({
                ...(archived !== undefined ? { archived } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });

    return (
        <>
            <PageHeader
                title={t('packages.title')}
                description={t('packages.subtitle')}
                actions={
                    can('catalog.write') ? (
                        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="series-new">
                            {t('packages.new')}
                        </Button>
                    ) : null
                }
            />
            <NewSeriesModal opened={values.new === '1'} onClose={() => set({ new: '' }, { keepPage: true })} />
            <Paper withBorder p="md" mb="md">
                <Select
                    label={t('common.show')}
                    data={[
                        { value: '', label: t('packages.showLive') },
                        { value: 'archived', label: t('packages.showArchived') },
                        { value: 'all', label: t('common.all') },
                    ]}
                    value={values.show}
                    onChange={(v) => set({ show: v ?? '' })}
                    allowDeselect={false}
                    w={200}
                />
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('packages.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={720}>
                        <Table striped highlightOnHover verticalSpacing="xs" data-testid="series-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('common.description')}</Table.Th>
                                    <Table.Th>{t('packages.currentVersion')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('common.updated')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((s) => (
                                    <Table.Tr key={s.id}>
                                        <Table.Td>
                                            <Anchor component={Link} to={`/packages/${s.id}`} size="sm" fw={600}>
                                                {s.name}
                                            </Anchor>
                                        </Table.Td>
                                        <Table.Td>
                                            <Text size="sm" lineClamp={2}>
                                                {s.description ?? '—'}
                                            </Text>
                                        </Table.Td>
                                        <Table.Td>
                                            {s.currentVersionId ? (
                                                <Badge variant="light" color="teal">
                                                    {t('packages.published')}
                                                </Badge>
                                            ) : (
                                                <Badge variant="light" color="orange">
                                                    {t('packages.notPublished')}
                                                </Badge>
                                            )}
                                        </Table.Td>
                                        <Table.Td>
                                            <StatusBadge status={s.archived ? 'archived' : 'live'} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={s.updatedAt} />
                                        </Table.Td>
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
        </>
    );
}
