// One staff account (admins.manage): rename, change role (never above your own, never your
// own), disable / re-enable (sessions end at once), delete. The server refuses leaving no
// SuperAdmin (409 last_super_admin) and says so.

import { Anchor, Button, Card, Group, Select, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, RoleBadge, StatusBadge, When, YesNo } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useNotify } from '../components/notify';
import { grantableRoles } from '../lib/domain';

function Field({ label, children }: { label: string; children: ReactNode }) {
    return (
        <div>
            <Text size="xs" fw={600}>
                {label}
            </Text>
            <div>{children}</div>
        </div>
    );
}

export default function StaffDetailPage() {
    const { id = '' } = useParams();
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { me, can } = useAuth();
    const gate = useWriteGate();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const detail = useQuery({ queryKey: ['admin', id], queryFn: () => api.admin.adminGetAdmin({ id }) });
    const [name, setName] = useState('');
    const [role, setRole] = useState('');
    const [disabled, setDisabled] = useState(false);
    const [confirmDelete, setConfirmDelete] = useState(false);

    useEffect(() => {
        if (detail.data) {
            setName(detail.data.name);
            setRole(detail.data.role);
            setDisabled(detail.data.status === 'disabled');
        }
    }, [detail.data]);

    const save = useMutation({
        mutationFn: () => {
            const a = detail.data;
            return api.admin.adminUpdateAdmin({
                id,
                adminUpdateRequest: {
                    ...(a && name.trim() !== a.name ? { name: name.trim() } : {}),
                    ...(a && role !== a.role ? { role } : {}),
                    ...(a && disabled !== (a.status === 'disabled') ? { disabled } : {}),
                },
            });
        },
        onSuccess: (a) => {
            queryClient.setQueryData(['admin', id], a);
            void queryClient.invalidateQueries({ queryKey: ['admins'] });
            notify(t('common.saved'));
        },
    });
    const remove = useMutation({
        mutationFn: () => api.admin.adminDeleteAdmin({ id }),
        onSuccess: () => {
            void queryClient.invalidateQueries({ queryKey: ['admins'] });
            notify(t('staff.deleted'));
            navigate('/staff', { replace: true });
        },
    });

    if (detail.isPending) return <TableSkeleton rows={6} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const a = detail.data;
    const self = a.id === me.id;
    const roles = grantableRoles(me.role);
    const fields = fieldErrors(save.error, tx);
    const submit = (e: FormEvent) => {
        e.preventDefault();
        gate(() => save.mutate());
    };

    return (
        <Stack>
            <PageHeader
                title={a.name}
                description={a.email ?? undefined}
                actions={
                    <Button color="red" variant="outline" disabled={self} onClick={() => gate(() => setConfirmDelete(true))} data-testid="delete-admin">
                        {t('staff.delete')}
                    </Button>
                }
            />
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono">{a.id}</Text>
                            <CopyButton value={a.id} />
                        </Group>
                    </Field>
                    <Field label={t('common.role')}>
                        <RoleBadge role={a.role} />
                    </Field>
                    <Field label={t('common.status')}>
                        <StatusBadge status={a.status} />
                    </Field>
                    <Field label={t('common.mfa')}>
                        <YesNo value={a.mfaEnabled} />
                    </Field>
                    <Field label={t('staff.passwordSet')}>
                        <YesNo value={a.passwordSet} />
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={a.createdAt} />
                    </Field>
                    {can('audit.read') ? (
                        <Field label={t('nav.audit')}>
                            <Group gap="md">
                                <Anchor component={Link} to={`/audit?target_type=admin&target_id=${a.id}`} size="sm">
                                    {t('staff.auditAbout')}
                                </Anchor>
                                <Anchor component={Link} to={`/audit?actor_id=${a.id}`} size="sm">
                                    {t('staff.auditBy')}
                                </Anchor>
                            </Group>
                        </Field>
                    ) : null}
                </SimpleGrid>
            </Card>
            <Card withBorder>
                <form onSubmit={submit}>
                    <Stack maw={480}>
                        <TextInput label={t('common.name')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} />
                        <Select
                            label={t('common.role')}
                            description={self ? t('staff.ownRole') : t('staff.roleHint')}
                            data={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))}
                            value={role}
                            onChange={(v) => v && setRole(v)}
                            disabled={self || !roles.includes(a.role as (typeof roles)[number])}
                            allowDeselect={false}
                            error={fields.role}
                            data-testid="admin-role"
                        />
                        <Switch
                            label={t('staff.disabled')}
                            description={t('staff.disabledHint')}
                            checked={disabled}
                            onChange={(e) => setDisabled(e.currentTarget.checked)}
                            disabled={self}
                        />
                        <ProblemAlert error={Object.keys(fields).length ? null : save.error} />
                        <Group>
                            <Button type="submit" loading={save.isPending} data-testid="save-admin">
                                {t('common.save')}
                            </Button>
                        </Group>
                    </Stack>
                </form>
            </Card>
            <ConfirmModal
                opened={confirmDelete}
                onClose={() => {
                    setConfirmDelete(false);
                    remove.reset();
                }}
                title={t('staff.deleteTitle')}
                message={t('staff.deleteBody', { name: a.name })}
                confirmLabel={t('staff.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => remove.mutate()}
            />
        </Stack>
    );
}
