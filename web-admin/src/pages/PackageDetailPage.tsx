// One package series: its versions (immutable terms: traffic, duration, speed and device
// limits, traffic reset, node groups), which one is current (what new sales deliver), a new
// version, publishing one (delivered purchases keep the terms they bought), rename, archive,
// and the products that sell it.

import type { PackageSeriesDetail, PackageVersion } from '@helium/sdk';
import { Alert, Anchor, Badge, Button, Card, Group, Modal, MultiSelect, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, StatusBadge, When } from '../components/bits';
import { Field, GroupBadges, MoneyText } from '../components/commerce';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { TRAFFIC_RESETS } from '../lib/domain';
import { bytesToGb, gbToBytes, parseWhole } from '../lib/format';

function NewVersionModal({ opened, series, onClose }: { opened: boolean; series: PackageSeriesDetail; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const groups = useGroups();
    const [traffic, setTraffic] = useState('');
    const [days, setDays] = useState('');
    const [speed, setSpeed] = useState('');
    const [devices, setDevices] = useState('');
    const [reset, setReset] = useState<string>('none');
    const [groupIds, setGroupIds] = useState<string[]>([]);
    const [touched, setTouched] = useState(false);

    // Start from the latest version's terms: a new version is usually a small change.
    useEffect(() => {
        if (!opened) return;
        const last = series.versions.at(-1)?.entitlements;
        setTraffic(last ? bytesToGb(last.trafficBytes) : '');
        setDays(last ? String(last.durationDays) : '30');
        setSpeed(last?.speedLimitMbps ? String(last.speedLimitMbps) : '');
        setDevices(last?.deviceLimit ? String(last.deviceLimit) : '');
        setReset(last?.trafficReset ?? 'monthly_on_purchase_day');
        setGroupIds(last?.groupIds ?? []);
        setTouched(false);
    }, [opened, series]);

    const bytes = gbToBytes(traffic);
    const duration = parseWhole(days, 1, 3660);
    const speedLimit = speed.trim() ? parseWhole(speed, 1, 100_000) : null;
    const deviceLimit = devices.trim() ? parseWhole(devices, 1, 1000) : null;
    const local = {
        traffic: bytes === null ? t('version.trafficInvalid') : undefined,
        days: duration === null ? t('version.daysInvalid') : undefined,
        speed: speed.trim() && speedLimit === null ? t('version.speedInvalid') : undefined,
        devices: devices.trim() && deviceLimit === null ? t('version.devicesInvalid') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);

    const create = useMutation({
        mutationFn: () =>
            commerce.catalog.adminCreatePackageVersion({
                id: series.id,
                versionCreateRequest: {
                    trafficBytes: bytes ?? 0,
                    durationDays: duration ?? 0,
                    speedLimitMbps: speedLimit,
                    deviceLimit,
                    trafficReset: reset,
                    groupIds,
                },
            }),
        onSuccess: (v) => {
            notify(t('version.created', { version: v.version }));
            void queryClient.invalidateQueries({ queryKey: ['series'] });
            onClose();
        },
    });
    const fields = fieldErrors(create.error, tx);
    const shown = (k: keyof typeof local, server?: string) => (touched ? local[k] : undefined) ?? server;
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('version.newTitle', { name: series.name })} centered size="lg">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid) create.mutate();
                }}
            >
                <Stack>
                    <Text size="sm">{t('version.newHint')}</Text>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <TextInput label={t('version.trafficGb')} description={t('version.trafficHint')} required inputMode="decimal" value={traffic} onChange={(e) => setTraffic(e.currentTarget.value)} error={shown('traffic', fields.traffic_bytes)} data-autofocus data-testid="version-traffic" />
                        <TextInput label={t('version.durationDays')} description={t('version.durationHint')} required inputMode="numeric" value={days} onChange={(e) => setDays(e.currentTarget.value)} error={shown('days', fields.duration_days)} data-testid="version-days" />
                        <TextInput label={t('version.speedMbps')} description={t('version.unlimitedHint')} inputMode="numeric" value={speed} onChange={(e) => setSpeed(e.currentTarget.value)} error={shown('speed', fields.speed_limit_mbps)} data-testid="version-speed" />
                        <TextInput label={t('version.devices')} description={t('version.unlimitedHint')} inputMode="numeric" value={devices} onChange={(e) => setDevices(e.currentTarget.value)} error={shown('devices', fields.device_limit)} data-testid="version-devices" />
                    </SimpleGrid>
                    <Select
                        label={t('version.trafficReset')}
                        data={TRAFFIC_RESETS.map((r) => ({ value: r, label: t(`trafficReset.${r}`) }))}
                        value={reset}
                        onChange={(v) => v && setReset(v)}
                        allowDeselect={false}
                        error={fields.traffic_reset}
                        data-testid="version-reset"
                    />
                    <MultiSelect
                        label={t('version.nodeGroups')}
                        description={t('version.nodeGroupsHint')}
                        data={groups.items.map((g) => ({ value: g.id, label: g.name }))}
                        value={groupIds}
                        onChange={setGroupIds}
                        searchable
                        clearable
                        error={fields.group_ids}
                        data-testid="version-groups"
                    />
                    <ProblemAlert error={Object.keys(fields).length ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="version-create">
                            {t('version.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

function EditSeriesModal({ opened, series, onClose }: { opened: boolean; series: PackageSeriesDetail; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [name, setName] = useState('');
    const [description, setDescription] = useState('');
    useEffect(() => {
        if (opened) {
            setName(series.name);
            setDescription(series.description ?? '');
        }
    }, [opened, series]);
    const save = useMutation({
        mutationFn: () =>
            commerce.catalog.adminUpdatePackageSeries({ id: series.id, seriesUpdateRequest: { name: name.trim(), description: description.trim() || null } }),
        onSuccess: () => {
            notify(t('common.saved'));
            void queryClient.invalidateQueries({ queryKey: ['series'] });
            onClose();
        },
    });
    const fields = fieldErrors(save.error, tx);
    const close = () => {
        save.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('packages.edit')} centered>
            <form
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    save.mutate();
                }}
            >
                <Stack>
                    <TextInput label={t('common.name')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} data-autofocus />
                    <Textarea label={t('common.description')} autosize minRows={2} maxLength={1000} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fields.description} />
                    <ProblemAlert error={Object.keys(fields).length ? null : save.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending}>
                            {t('common.save')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

/** Speed, devices: a number or "unlimited". */
function Limit({ value, unit }: { value: number | null | undefined; unit?: string }) {
    const { t, locale } = useI18n();
    if (value === null || value === undefined) return <>{t('version.unlimited')}</>;
    const n = new Intl.NumberFormat(locale).format(value);
    return <>{unit ? `${n} ${unit}` : n}</>;
}

type Action = 'new' | 'edit' | 'archive' | 'unarchive' | null;

export default function PackageDetailPage() {
    const { id = '' } = useParams();
    const { t, tx, locale } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const queryClient = useQueryClient();
    const groups = useGroups();
    const [action, setAction] = useState<Action>(null);
    const [publishing, setPublishing] = useState<PackageVersion | null>(null);
    const detail = useQuery({ queryKey: ['series', 'detail', id], queryFn: () => commerce.catalog.adminGetPackageSeries({ id }) });
    const products = useQuery({
        queryKey: ['products', 'list', 'series', id],
        queryFn: () => commerce.catalog.adminListProducts({ seriesId: id, limit: 100 }),
    });
    const writable = can('catalog.write');

    const publish = useMutation({
        mutationFn: (v: PackageVersion) => commerce.catalog.adminPublishPackageVersion({ id, versionId: v.id }),
        onSuccess: (v) => {
            setPublishing(null);
            notify(t('version.publishedNow', { version: v.version }));
            void queryClient.invalidateQueries({ queryKey: ['series'] });
            void queryClient.invalidateQueries({ queryKey: ['products'] });
        },
    });
    const archive = useMutation({
        mutationFn: (archived: boolean) => commerce.catalog.adminUpdatePackageSeries({ id, seriesUpdateRequest: { archived } }),
        onSuccess: (s) => {
            setAction(null);
            notify(s.archived ? t('packages.archivedNow') : t('packages.restored'));
            void queryClient.invalidateQueries({ queryKey: ['series'] });
            void queryClient.invalidateQueries({ queryKey: ['products'] });
        },
    });

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const s = detail.data;
    const versions = [...s.versions].reverse();
    const current = s.versions.find((v) => v.id === s.currentVersionId);

    return (
        <Stack>
            <PageHeader
                title={s.name}
                description={s.description ?? undefined}
                actions={
                    writable ? (
                        <>
                            <Button leftSection={<IconPlus size={16} aria-hidden />} disabled={s.archived} onClick={() => gate(() => setAction('new'))} data-testid="version-new">
                                {t('version.add')}
                            </Button>
                            <Button variant="default" onClick={() => gate(() => setAction('edit'))} data-testid="series-edit">
                                {t('common.edit')}
                            </Button>
                            {s.archived ? (
                                <Button variant="default" onClick={() => gate(() => setAction('unarchive'))} data-testid="series-unarchive">
                                    {t('packages.restore')}
                                </Button>
                            ) : (
                                <Button color="red" variant="outline" onClick={() => gate(() => setAction('archive'))} data-testid="series-archive">
                                    {t('packages.archive')}
                                </Button>
                            )}
                        </>
                    ) : null
                }
            />
            {s.archived ? (
                <Alert color="gray" title={t('packages.archivedTitle')}>
                    {t('packages.archivedBody')}
                </Alert>
            ) : !current ? (
                <Alert color="orange" title={t('packages.unpublishedTitle')} data-testid="series-unpublished">
                    {t('packages.unpublishedBody')}
                </Alert>
            ) : null}
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono">{s.id}</Text>
                            <CopyButton value={s.id} />
                        </Group>
                    </Field>
                    <Field label={t('common.status')}>
                        <StatusBadge status={s.archived ? 'archived' : 'live'} />
                    </Field>
                    <Field label={t('packages.currentVersion')}>
                        <Text size="sm" data-testid="series-current">
                            {current ? t('version.label', { version: current.version }) : t('packages.notPublished')}
                        </Text>
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={s.updatedAt} />
                    </Field>
                </SimpleGrid>
            </Card>

            <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                    {t('version.title')}
                </Title>
                {versions.length === 0 ? (
                    <EmptyState>{t('version.empty')}</EmptyState>
                ) : (
                    <Table.ScrollContainer minWidth={1000}>
                        <Table verticalSpacing="xs" data-testid="versions-table">
                            <Table.Thead>
                                <Table.Tr>
                                    <Table.Th>{t('version.version')}</Table.Th>
                                    <Table.Th>{t('version.traffic')}</Table.Th>
                                    <Table.Th>{t('version.duration')}</Table.Th>
                                    <Table.Th>{t('version.speed')}</Table.Th>
                                    <Table.Th>{t('version.devices')}</Table.Th>
                                    <Table.Th>{t('version.trafficReset')}</Table.Th>
                                    <Table.Th>{t('version.nodeGroups')}</Table.Th>
                                    <Table.Th>{t('version.publishedAt')}</Table.Th>
                                    <Table.Th>{t('common.status')}</Table.Th>
                                    {writable ? <Table.Th>{t('common.actions')}</Table.Th> : null}
                                </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                                {versions.map((v) => {
                                    const e = v.entitlements;
                                    const isCurrent = v.id === s.currentVersionId;
                                    return (
                                        <Table.Tr key={v.id} data-testid="version-row" data-version={v.version} data-current={isCurrent ? 'true' : 'false'}>
                                            <Table.Td fw={600}>{t('version.label', { version: v.version })}</Table.Td>
                                            <Table.Td>{t('version.gb', { gb: bytesToGb(e.trafficBytes, locale) })}</Table.Td>
                                            <Table.Td>{t('version.days', { days: e.durationDays })}</Table.Td>
                                            <Table.Td>
                                                <Limit value={e.speedLimitMbps} unit={t('version.mbps')} />
                                            </Table.Td>
                                            <Table.Td>
                                                <Limit value={e.deviceLimit} />
                                            </Table.Td>
                                            <Table.Td>{tx(`trafficReset.${e.trafficReset}`, e.trafficReset)}</Table.Td>
                                            <Table.Td>
                                                <GroupBadges ids={e.groupIds} names={groups.byId} />
                                            </Table.Td>
                                            <Table.Td>
                                                <When value={v.publishedAt} />
                                            </Table.Td>
                                            <Table.Td>
                                                {isCurrent ? (
                                                    <Badge color="teal" variant="light" fw={800}>
                                                        {t('version.current')}
                                                    </Badge>
                                                ) : v.publishedAt ? (
                                                    <Badge color="gray" variant="light">
                                                        {t('version.previous')}
                                                    </Badge>
                                                ) : (
                                                    <Badge color="orange" variant="light">
                                                        {t('version.draft')}
                                                    </Badge>
                                                )}
                                            </Table.Td>
                                            {writable ? (
                                                <Table.Td>
                                                    {isCurrent || s.archived ? null : (
                                                        <Button size="xs" variant="light" onClick={() => gate(() => setPublishing(v))} aria-label={v.publishedAt ? t('version.makeCurrentFor', { version: v.version }) : t('version.publishFor', { version: v.version })} data-testid="version-publish">
                                                            {v.publishedAt ? t('version.makeCurrent') : t('version.publish')}
                                                        </Button>
                                                    )}
                                                </Table.Td>
                                            ) : null}
                                        </Table.Tr>
                                    );
                                })}
                            </Table.Tbody>
                        </Table>
                    </Table.ScrollContainer>
                )}
            </Card>

            <Card withBorder>
                <Group justify="space-between" mb="sm">
                    <Title order={2} size="h4">
                        {t('packages.products')}
                    </Title>
                    {writable && !s.archived ? (
                        <Button size="xs" variant="light" component={Link} to={`/products?new=1&series=${s.id}`} data-testid="series-new-product">
                            {t('products.new')}
                        </Button>
                    ) : null}
                </Group>
                {products.error ? <ProblemAlert error={products.error} /> : null}
                {products.data && products.data.items.length === 0 ? <EmptyState>{t('packages.noProducts')}</EmptyState> : null}
                {products.data && products.data.items.length > 0 ? (
                    <Table verticalSpacing="xs">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('common.name')}</Table.Th>
                                <Table.Th>{t('products.price')}</Table.Th>
                                <Table.Th>{t('products.onSale')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {products.data.items.map((p) => (
                                <Table.Tr key={p.id}>
                                    <Table.Td>
                                        <Anchor component={Link} to={`/products/${p.id}`} size="sm">
                                            {p.name}
                                        </Anchor>
                                    </Table.Td>
                                    <Table.Td>
                                        <MoneyText value={p.price} />
                                    </Table.Td>
                                    <Table.Td>{p.onSale ? t('common.yes') : t('common.no')}</Table.Td>
                                </Table.Tr>
                            ))}
                        </Table.Tbody>
                    </Table>
                ) : null}
            </Card>

            <NewVersionModal opened={action === 'new'} series={s} onClose={() => setAction(null)} />
            <EditSeriesModal opened={action === 'edit'} series={s} onClose={() => setAction(null)} />
            <ConfirmModal
                opened={publishing !== null}
                onClose={() => {
                    setPublishing(null);
                    publish.reset();
                }}
                title={t('version.publishTitle', { version: publishing?.version ?? '' })}
                message={t('version.publishBody')}
                confirmLabel={publishing?.publishedAt ? t('version.makeCurrent') : t('version.publish')}
                busy={publish.isPending}
                error={publish.error}
                onConfirm={() => publishing && publish.mutate(publishing)}
            />
            <ConfirmModal
                opened={action === 'archive' || action === 'unarchive'}
                onClose={() => {
                    setAction(null);
                    archive.reset();
                }}
                title={action === 'archive' ? t('packages.archiveTitle') : t('packages.restoreTitle')}
                message={action === 'archive' ? t('packages.archiveBody', { name: s.name }) : t('packages.restoreBody', { name: s.name })}
                confirmLabel={action === 'archive' ? t('packages.archive') : t('packages.restore')}
                danger={action === 'archive'}
                busy={archive.isPending}
                error={archive.error}
                onConfirm={() => archive.mutate(action === 'archive')}
            />
        </Stack>
    );
}
