// Payment methods (config.manage, so SuperAdmins): the Epay gateway accounts customers pay
// through. The merchant key is write-only: typed when adding or re-keying an account, sealed at
// rest by the server and never returned (leave it empty when editing to keep it). Disabling
// keeps the account for the orders that used it.

import type { PaymentMethod } from '@helium/sdk';
import { Autocomplete, Badge, Button, Group, Modal, Paper, PasswordInput, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useWriteGate } from '../auth/AuthContext';
import { PageHeader, Pager, When } from '../components/bits';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { EPAY_CHANNELS, PAYMENT_METHOD_KINDS } from '../lib/domain';
import { useCursorPaging } from '../lib/urlState';

function MethodModal({ opened, method, onClose }: { opened: boolean; method: PaymentMethod | null; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [kind, setKind] = useState<string>('epay');
    const [name, setName] = useState('');
    const [channel, setChannel] = useState('');
    const [url, setUrl] = useState('');
    const [pid, setPid] = useState('');
    const [key, setKey] = useState('');
    const [enabled, setEnabled] = useState(true);
    const [sort, setSort] = useState('0');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (!opened) return;
        setKind(method?.kind ?? 'epay');
        setName(method?.name ?? '');
        setChannel(method?.channel ?? '');
        setUrl(method?.url ?? '');
        setPid(method?.pid ?? '');
        setKey('');
        setEnabled(method?.enabled ?? true);
        setSort(String(method?.sort ?? 0));
        setTouched(false);
    }, [opened, method]);
    const sortValue = /^-?\d{1,9}$/.test(sort.trim()) ? Number(sort.trim()) : null;
    // A new gateway URL needs the key again (the server refuses to send the stored key to a new host).
    const urlMoved = method !== null && url.trim() !== method.url;
    const keyError =
        (method && !urlMoved ? key.length > 0 : true) && (key.length < 8 || key.length > 256)
            ? t(urlMoved && key.length === 0 ? 'payMethods.keyAgain' : 'payMethods.keyInvalid')
            : undefined;
    const local: Record<string, string | undefined> = {
        name: name.trim() ? undefined : t('field.required'),
        channel: channel.trim() ? undefined : t('field.required'),
        url: url.trim() ? undefined : t('field.required'),
        pid: pid.trim() ? undefined : t('field.required'),
        key: keyError,
        sort: sortValue === null ? t('field.invalid_format') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);
    const save = useMutation({
        mutationFn: () => {
            if (method) {
                return commerce.orders.adminUpdatePaymentMethod({
                    id: method.id,
                    paymentMethodUpdateRequest: {
                        ...(name.trim() !== method.name ? { name: name.trim() } : {}),
                        ...(channel.trim() !== method.channel ? { channel: channel.trim() } : {}),
                        ...(url.trim() !== method.url ? { url: url.trim() } : {}),
                        ...(pid.trim() !== method.pid ? { pid: pid.trim() } : {}),
                        ...(key ? { key } : {}),
                        ...(enabled !== method.enabled ? { enabled } : {}),
                        ...(sortValue !== null && sortValue !== method.sort ? { sort: sortValue } : {}),
                    },
                });
            }
            return commerce.orders.adminCreatePaymentMethod({
                paymentMethodCreateRequest: { kind, name: name.trim(), channel: channel.trim(), url: url.trim(), pid: pid.trim(), key, enabled, sort: sortValue ?? 0 },
            });
        },
        onSuccess: (m) => {
            setKey('');
            notify(method ? t('common.saved') : t('payMethods.created', { name: m.name }));
            void queryClient.invalidateQueries({ queryKey: ['payment-methods'] });
            onClose();
        },
    });
    const server = fieldErrors(save.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const close = () => {
        save.reset();
        setKey('');
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={method ? t('payMethods.edit', { name: method.name }) : t('payMethods.new')} centered size="lg">
            <form
                noValidate
                autoComplete="off"
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid) save.mutate();
                }}
            >
                <Stack>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <Select
                            label={t('payMethods.kind')}
                            description={t('payMethods.kindHint')}
                            data={PAYMENT_METHOD_KINDS.map((k) => ({ value: k, label: t(`payKind.${k}`) }))}
                            value={kind}
                            onChange={(v) => v && setKind(v)}
                            allowDeselect={false}
                            disabled={method !== null}
                            error={server.kind}
                        />
                        <TextInput label={t('common.name')} description={t('payMethods.nameHint')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={err('name')} data-autofocus data-testid="pm-name" />
                        <Autocomplete
                            label={t('payMethods.channel')}
                            description={t('payMethods.channelHint')}
                            required
                            data={[...EPAY_CHANNELS]}
                            value={channel}
                            onChange={setChannel}
                            error={err('channel')}
                            data-testid="pm-channel"
                        />
                        <TextInput label={t('payMethods.pid')} required value={pid} onChange={(e) => setPid(e.currentTarget.value)} error={err('pid')} classNames={{ input: 'mono' }} data-testid="pm-pid" />
                    </SimpleGrid>
                    <TextInput label={t('payMethods.url')} description={t('payMethods.urlHint')} required type="url" placeholder={t('payMethods.urlExample')} value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={err('url')} data-testid="pm-url" />
                    <PasswordInput
                        label={t('payMethods.key')}
                        description={method ? t('payMethods.keyKeep') : t('payMethods.keyHint')}
                        required={method === null || urlMoved}
                        autoComplete="new-password"
                        value={key}
                        onChange={(e) => setKey(e.currentTarget.value)}
                        error={err('key')}
                        data-testid="pm-key"
                    />
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <TextInput label={t('payMethods.sort')} description={t('products.sortHint')} inputMode="numeric" value={sort} onChange={(e) => setSort(e.currentTarget.value)} error={err('sort')} />
                        <Switch label={t('payMethods.enabled')} description={t('payMethods.enabledHint')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} pt="md" />
                    </SimpleGrid>
                    <ProblemAlert error={Object.keys(server).length ? null : save.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending} data-testid="pm-save">
                            {method ? t('common.save') : t('payMethods.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

export default function PaymentMethodsPage() {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const gate = useWriteGate();
    const paging = useCursorPaging();
    const queryClient = useQueryClient();
    const [editing, setEditing] = useState<PaymentMethod | 'new' | null>(null);
    const [disabling, setDisabling] = useState<PaymentMethod | null>(null);
    const list = useQuery({
        queryKey: ['payment-methods', paging.cursor, paging.limit],
        queryFn: () => commerce.orders.adminListPaymentMethods({ limit: paging.limit, ...(paging.cursor ? { cursor: paging.cursor } : {}) }),
        placeholderData: keepPreviousData,
    });
    const disable = useMutation({
        mutationFn: (id: string) => commerce.orders.adminDisablePaymentMethod({ id }),
        onSuccess: () => {
            setDisabling(null);
            notify(t('payMethods.disabled'));
            void queryClient.invalidateQueries({ queryKey: ['payment-methods'] });
        },
    });

    return (
        <>
            <PageHeader
                title={t('payMethods.title')}
                description={t('payMethods.subtitle')}
                actions={
                    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => gate(() => setEditing('new'))} data-testid="pm-new">
                        {t('payMethods.new')}
                    </Button>
                }
            />
            <MethodModal opened={editing !== null} method={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
            <Paper withBorder p="md">
                {list.isPending ? <TableSkeleton /> : null}
                {list.error ? <ProblemState error={list.error} onRetry={() => void list.refetch()} /> : null}
                {list.data && list.data.items.length === 0 ? <EmptyState>{t('payMethods.empty')}</EmptyState> : null}
                {list.data && list.data.items.length > 0 ? (
                    <Table.ScrollContainer minWidth={960}>
                        <Table striped verticalSpacing="xs" data-testid="pm-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('common.name')}</Table.Th>
                                    <Table.Th>{t('payMethods.kind')}</Table.Th>
                                    <Table.Th>{t('payMethods.channel')}</Table.Th>
                                    <Table.Th>{t('payMethods.url')}</Table.Th>
                                    <Table.Th>{t('payMethods.pid')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    <Table.Th>{t('payMethods.sort')}</Table.Th>
                                    <Table.Th>{t('common.updated')}</Table.Th>
                                    <Table.Th>{t('common.actions')}</Table.Th>
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {list.data.items.map((m) => (
                                    <Table.Tr key={m.id}>
                                        <Table.Td fw={600}>{m.name}</Table.Td>
                                        <Table.Td>{tx(`payKind.${m.kind}`, m.kind)}</Table.Td>
                                        <Table.Td>
                                            <Badge variant="outline" color="gray" tt="none">
                                                {m.channel}
                                            </Badge>
                                        </Table.Td>
                                        <Table.Td>
                                            <Text size="sm" className="mono">
                                                {m.url}
                                            </Text>
                                        </Table.Td>
                                        <Table.Td className="mono">{m.pid}</Table.Td>
                                        <Table.Td>
                                            <Badge color={m.enabled ? 'green' : 'gray'} variant="light">
                                                {m.enabled ? t('status.enabled') : t('status.disabled')}
                                            </Badge>
                                        </Table.Td>
                                        <Table.Td>{m.sort}</Table.Td>
                                        <Table.Td>
                                            <When value={m.updatedAt} />
                                        </Table.Td>
                                        <Table.Td>
                                            <Group gap={4} wrap="nowrap">
                                                <Button size="xs" variant="subtle" onClick={() => gate(() => setEditing(m))} aria-label={t('payMethods.editFor', { name: m.name })}>
                                                    {t('common.edit')}
                                                </Button>
                                                {m.enabled ? (
                                                    <Button size="xs" variant="subtle" color="red" onClick={() => gate(() => setDisabling(m))} aria-label={t('payMethods.disableFor', { name: m.name })}>
                                                        {t('payMethods.disable')}
                                                    </Button>
                                                ) : null}
                                            </Group>
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
            <ConfirmModal
                opened={disabling !== null}
                onClose={() => {
                    setDisabling(null);
                    disable.reset();
                }}
                title={t('payMethods.disableTitle')}
                message={t('payMethods.disableBody', { name: disabling?.name ?? '' })}
                confirmLabel={t('payMethods.disable')}
                danger
                busy={disable.isPending}
                error={disable.error}
                onConfirm={() => disabling && disable.mutate(disabling.id)}
            />
        </>
    );
}
