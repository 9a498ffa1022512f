// API keys (api_keys.manage): create (the secret is shown once, with copy), list, revoke.
// A key acts with a role no higher than yours, optionally narrowed to some permissions, and
// never holds the human-only ones.

import type { ApiKey, ApiKeyCreated } from '@helium/sdk';
import { Alert, Badge, Button, Code, Group, Modal, MultiSelect, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, Pager, RoleBadge, StatusBadge, When } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useNotify } from '../components/notify';
import { grantableRoles } from '../lib/domain';
import { fromLocalInput } from '../lib/format';
import { permissionsOf } from '../lib/nav';
import { useCursorPaging } from '../lib/urlState';

function keyStatus(k: ApiKey, now = Date.now()): string {
    if (k.revokedAt) return 'revoked';
    if (k.expiresAt && k.expiresAt.getTime() <= now) return 'expired';
    return 'active';
}

function CreateKeyModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (k: ApiKeyCreated) => void }) {
    const { t, tx } = useI18n();
    const { me, roles } = useAuth();
    const queryClient = useQueryClient();
    const grantable = grantableRoles(me.role);
    const [name, setName] = useState('');
    const [role, setRole] = useState<string>(grantable.at(-1) ?? 'support_bot');
    const [perms, setPerms] = useState<string[]>([]);
    const [expires, setExpires] = useState('');
    const options = useMemo(() => {
        const human = new Set(roles.humanOnly);
        return [...permissionsOf(roles.roles, role)].filter((p) => p !== 'self' && !human.has(p)).sort();
    }, [roles, role]);
    const create = useMutation({
        mutationFn: () => {
            const at = fromLocalInput(expires);
            return api.admin.adminCreateApiKey({
                apiKeyCreateRequest: {
                    name: name.trim(),
                    role,
                    ...(perms.length ? { permissions: perms } : {}),
                    ...(at ? { expiresAt: at } : {}),
                },
            });
        },
        onSuccess: (k) => {
            void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
            setName('');
            setPerms([]);
            setExpires('');
            onCreated(k);
        },
    });
    const fields = fieldErrors(create.error, tx);
    const permError = Object.entries(fields).find(([f]) => f.startsWith('permissions'))?.[1];
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
            title={t('apiKeys.new')}
            centered
            size="lg"
        >
            <form onSubmit={submit}>
                <Stack>
                    <TextInput label={t('common.name')} description={t('apiKeys.nameHint')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} data-autofocus data-testid="key-name" />
                    <Select
                        label={t('common.role')}
                        data={grantable.map((r) => ({ value: r, label: t(`role.${r}`) }))}
                        value={role}
                        onChange={(v) => {
                            if (v) {
                                setRole(v);
                                setPerms([]);
                            }
                        }}
                        allowDeselect={false}
                        error={fields.role}
                    />
                    <MultiSelect
                        label={t('apiKeys.permissions')}
                        description={t('apiKeys.permissionsHint')}
                        data={options.map((p) => ({ value: p, label: tx(`perm.${p}`, p) }))}
                        value={perms}
                        onChange={setPerms}
                        searchable
                        clearable
                        error={permError}
                    />
                    <TextInput type="datetime-local" label={t('apiKeys.expires')} description={t('apiKeys.expiresHint')} value={expires} onChange={(e) => setExpires(e.currentTarget.value)} error={fields.expires_at} />
                    <ProblemAlert error={Object.keys(fields).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button type="submit" loading={create.isPending} data-testid="key-create">
                            {t('apiKeys.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function ApiKeysPage() {
    const { t, tx } = useI18n();
    const gate = useWriteGate();
    const notify = useNotify();
    const paging = useCursorPaging();
    const queryClient = useQueryClient();
    const [creating, setCreating] = useState(false);
    const [created, setCreated] = useState<ApiKeyCreated | null>(null);
    const [revoking, setRevoking] = useState<ApiKey | null>(null);
    const list = useQuery({
        queryKey: ['api-keys', paging.cursor, paging.limit],
        queryFn: () => api.admin.adminListApiKeys({ limit: paging.limit, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    const revoke = useMutation({
        mutationFn: (id: string) => api.admin.adminRevokeApiKey({ id }),
        onSuccess: () => {
            setRevoking(null);
            notify(t('apiKeys.revoked'));
            void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
        },
    });

    return (
        <>
            <PageHeader
                title={t('apiKeys.title')}
                description={t('apiKeys.subtitle')}
                actions={
                    <Button leftSection={<IconKey size={16} aria-hidden />} onClick={() => gate(() => setCreating(true))} data-testid="key-new">
                        {t('apiKeys.new')}
                    </Button>
                }
            />
            <CreateKeyModal
                opened={creating}
                onClose={() => setCreating(false)}
                onCreated={(k) => {
                    setCreating(false);
                    setCreated(k);
                }}
            />
            <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={created !== null} onClose={() => setCreated(null)} title={t('apiKeys.createdTitle')} centered size="lg" closeOnClickOutside={false}>
                {created ? (
                    <Stack>
                        <Alert color="orange" title={t('apiKeys.onceTitle')}>
                            {t('apiKeys.once')}
                        </Alert>
                        <Group gap="xs" wrap="nowrap">
                            <Code block className="mono" data-testid="key-secret" style={{ flex: 1 }}>
                                {created.key}
                            </Code>
                            <CopyButton value={created.key} label={t('apiKeys.copy')} />
                        </Group>
                        <Text size="sm">{t('apiKeys.usage')}</Text>
                        <Group justify="flex-end">
                            <Button onClick={() => setCreated(null)} data-testid="key-done">
                                {t('apiKeys.stored')}
                            </Button>
                        </Group>
                    </Stack>
                ) : null}
            </Modal>
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('apiKeys.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={900}>
                        <Table striped verticalSpacing="xs" data-testid="keys-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('apiKeys.prefix')}</Table.Th>
                                    <Table.Th>{t('common.role')}</Table.Th>
                                    <Table.Th>{t('apiKeys.permissions')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('common.created')}</Table.Th>
                                    <Table.Th>{t('apiKeys.expires')}</Table.Th>
                                    <Table.Th>{t('apiKeys.lastUsed')}</Table.Th>
                                    <Table.Th>{t('common.actions')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((k) => {
                                    const status = keyStatus(k);
                                    return (
                                        <Table.Tr key={k.id}>
                                            <Table.Td>{k.name}</Table.Td>
                                            <Table.Td className="mono">{k.prefix}…</Table.Td>
                                            <Table.Td>
                                                <RoleBadge role={k.role} />
                                            </Table.Td>
                                            <Table.Td>
                                                {k.permissions?.length ? (
                                                    <Group gap={4}>
                                                        {k.permissions.map((p) => (
                                                            <Badge key={p} size="xs" variant="outline" color="gray">
                                                                {tx(`perm.${p}`, p)}
                                                            </Badge>
                                                        ))}
                                                    </Group>
                                                ) : (
                                                    t('apiKeys.wholeRole')
                                                )}
                                            </Table.Td>
                                            <Table.Td>
                                                <StatusBadge status={status} />
                                            </Table.Td>
                                            <Table.Td>
                                                <When value={k.createdAt} />
                                            </Table.Td>
                                            <Table.Td>{k.expiresAt ? <When value={k.expiresAt} /> : t('apiKeys.never')}</Table.Td>
                                            <Table.Td>{k.lastUsedAt ? <When value={k.lastUsedAt} /> : t('apiKeys.never')}</Table.Td>
                                            <Table.Td>
                                                {status === 'revoked' ? null : (
                                                    <Button size="xs" variant="subtle" color="red" onClick={() => gate(() => setRevoking(k))} aria-label={t('apiKeys.revokeFor', { name: k.name })}>
                                                        {t('apiKeys.revoke')}
                                                    </Button>
                                                )}
                                            </Table.Td>
                                        </Table.Tr>
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
            <ConfirmModal
                opened={revoking !== null}
                onClose={() => {
                    setRevoking(null);
                    revoke.reset();
                }}
                title={t('apiKeys.revokeTitle')}
                message={t('apiKeys.revokeBody', { name: revoking?.name ?? '' })}
                confirmLabel={t('apiKeys.revoke')}
                danger
                busy={revoke.isPending}
                error={revoke.error}
                onConfirm={() => revoking && revoke.mutate(revoking.id)}
            />
        </>
    );
}
