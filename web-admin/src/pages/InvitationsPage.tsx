// Staff invitations (invitations.manage): invite by e-mail (the link goes only by e-mail),
// list by status (server-paginated, newest first, filter and page in the URL), revoke an open one.

import { Button, Group, Modal, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconMailPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Invitation } from '@helium/sdk';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, RoleBadge, StatusBadge, When } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useNotify } from '../components/notify';
import { grantableRoles, INVITATION_STATUSES } from '../lib/domain';
import { useCursorPaging, useFilters } from '../lib/urlState';

const KEYS = ['status', 'new'] as const;

function InviteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { me } = useAuth();
    const queryClient = useQueryClient();
    const roles = grantableRoles(me.role);
    const [email, setEmail] = useState('');
    const [name, setName] = useState('');
    const [role, setRole] = useState<string>('customer_support');
    const create = useMutation({
        mutationFn: () =>
            api.admin.adminCreateInvitation({ createInvitationRequest: { email: email.trim(), name: name.trim(), role } }),
        onSuccess: (inv) => {
            notify(t('invite.sent', { email: inv.email }));
            void queryClient.invalidateQueries({ queryKey: ['invitations'] });
            setEmail('');
            setName('');
            onClose();
        },
    });
    const fields = fieldErrors(create.error, tx);
    const submit = (e: FormEvent) => {
        e.preventDefault();
        create.mutate();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }}
            opened={opened}
            onClose={() => {
                create.reset();
                onClose();
            }}
            title={t('invite.new')}
            centered
        >
            <form onSubmit={submit}>
                <Stack>
                    <Text size="sm">{t('invite.explain')}</Text>
                    <TextInput label={t('common.email')} type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fields.email} data-autofocus data-testid="invite-email" />
                    <TextInput label={t('common.name')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} data-testid="invite-name" />
                    <Select
                        label={t('common.role')}
                        data={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
                        value={role}
                        onChange={(v) => v && setRole(v)}
                        allowDeselect={false}
                        error={fields.role}
                        data-testid="invite-role"
                    />
                    <ProblemAlert error={Object.keys(fields).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button type="submit" loading={create.isPending} data-testid="invite-send">
                            {t('invite.send')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function InvitationsPage() {
    const { t } = useI18n();
    const notify = useNotify();
    const gate = useWriteGate();
    const { values, set } = useFilters(KEYS);
    const paging = useCursorPaging();
    const queryClient = useQueryClient();
    const [revoking, setRevoking] = useState<Invitation | null>(null);
    const list = useQuery({
        queryKey: ['invitations', values.status, paging.cursor, paging.limit],
        queryFn: () =>
            api.admin.adminListInvitations({
                ...(values.status ? { status: values.status } : {}),
                limit: paging.limit,
                ...(paging.cursor ? { cursor: paging.cursor } : {}),
            }),
        placeholderData: keepPreviousData,
    });
    const revoke = useMutation({
        mutationFn: (id: string) => api.admin.adminRevokeInvitation({ id }),
        onSuccess: () => {
            setRevoking(null);
            notify(t('invite.revoked'));
            void queryClient.invalidateQueries({ queryKey: ['invitations'] });
        },
    });

    return (
        <>
            <PageHeader
                title={t('invite.title')}
                description={t('invite.subtitle')}
                actions={
                    <Button leftSection={<IconMailPlus size={16} aria-hidden />} onClick={() => gate(() => set({ new: '1' }, { keepPage: true }))} data-testid="invite-open">
                        {t('invite.new')}
                    </Button>
                }
            />
            <InviteModal opened={values.new === '1'} onClose={() => set({ new: '' }, { keepPage: true })} />
            <Paper withBorder p="md" mb="md">
                <Select
                    label={t('common.status')}
                    data={[{ value: '', label: t('common.all') }, ...INVITATION_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
                    value={values.status}
                    onChange={(v) => set({ status: v ?? '' })}
                    allowDeselect={false}
                    w={200}
                />
            </Paper>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('invite.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={800}>
                        <Table striped verticalSpacing="xs" data-testid="invitations-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.email')}</Table.Th>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('common.role')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                    <Table.Th>{t('invite.expires')}</Table.Th>
                                    <Table.Th>{t('common.actions')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((i) => (
                                    <Table.Tr key={i.id}>
                                        <Table.Td>{i.email}</Table.Td>
                                        <Table.Td>{i.name}</Table.Td>
                                        <Table.Td>
                                            <RoleBadge role={i.role} />
                                        </Table.Td>
                                        <Table.Td>
                                            <StatusBadge status={i.status} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={i.createdAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <When value={i.expiresAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            {i.status === 'pending' ? (
                                                <Button size="xs" variant="subtle" color="red" onClick={() => gate(() => setRevoking(i))} aria-label={t('invite.revokeFor', { email: i.email })}>
                                                    {t('invite.revoke')}
                                                </Button>
                                            ) : null}
                                        </Table.Td>
                                    </Table.Tr>
                                ))}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                ) : null}
                {list.data ? (
                    <Pager
                        page={paging.page}
                        hasPrev={paging.hasPrev}
                        nextCursor={list.data.nextCursor}
                        onPrev={paging.prev}
                        onNext={paging.next}
                        limit={paging.limit}
                        onLimit={paging.setLimit}
                    />
                ) : null}
            </Paper>
            <ConfirmModal
                opened={revoking !== null}
                onClose={() => {
                    setRevoking(null);
                    revoke.reset();
                }}
                title={t('invite.revokeTitle')}
                message={t('invite.revokeBody', { email: revoking?.email ?? '' })}
                confirmLabel={t('invite.revoke')}
                danger
                busy={revoke.isPending}
                error={revoke.error}
                onConfirm={() => revoking && revoke.mutate(revoking.id)}
            />
        </>
    );
}
