// One product: what it sells now (the series' current version), its price and visibility;
// edit (changes apply to new orders only) and archive (off sale for good; orders keep it).

import type { AdminProduct } from '@helium/sdk';
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, When } from '../components/bits';
import { Field, GroupBadges, MoneyText } from '../components/commerce';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { checkProduct, productDraft, ProductFields, type ProductDraft } from '../components/ProductForm';
import { ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useGroups, useSeriesLookup } from '../lib/commerceQueries';
import { bytesToGb } from '../lib/format';

/** Only what changed (absent = unchanged). */
function changes(p: AdminProduct, d: ProductDraft, price: number, sort: number) {
    const desc = d.description.trim() || null;
    const sameGroups = [...p.groupIds].sort().join() === [...d.groupIds].sort().join();
    return {
        ...(d.name.trim() !== p.name ? { name: d.name.trim() } : {}),
        ...(desc !== (p.description ?? null) ? { description: desc } : {}),
        ...(price !== p.price.amount ? { price } : {}),
        ...(d.seriesId !== p.packageSeriesId ? { packageSeriesId: d.seriesId } : {}),
        ...(sameGroups ? {} : { groupIds: d.groupIds }),
        ...(d.onSale !== p.onSale ? { onSale: d.onSale } : {}),
        ...(sort !== p.sort ? { sort } : {}),
        ...(d.commissionEligible !== p.commissionEligible ? { commissionEligible: d.commissionEligible } : {}),
    };
}

export default function ProductDetailPage() {
    const { id = '' } = useParams();
    const { t, tx, locale } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const series = useSeriesLookup();
    const groups = useGroups();
    const detail = useQuery({ queryKey: ['products', 'detail', id], queryFn: () => commerce.catalog.adminGetProduct({ id }) });
    const [draft, setDraft] = useState<ProductDraft | null>(null);
    const [touched, setTouched] = useState(false);
    const [archiving, setArchiving] = useState(false);
    useEffect(() => {
        if (detail.data) setDraft(productDraft(detail.data));
    }, [detail.data]);

    const p = detail.data;
    const currency = p?.price.currency ?? '';
    const checked = draft ? checkProduct(draft, currency, t) : null;
    const save = useMutation({
        mutationFn: () => {
            if (!p || !draft || !checked) throw new Error('not loaded');
            return commerce.catalog.adminUpdateProduct({ id, productUpdateRequest: changes(p, draft, checked.price ?? 0, checked.sort ?? 0) });
        },
        onSuccess: (updated) => {
            queryClient.setQueryData(['products', 'detail', id], updated);
            void queryClient.invalidateQueries({ queryKey: ['products', 'list'] });
            void queryClient.invalidateQueries({ queryKey: ['products', 'lookup'] });
            setTouched(false);
            notify(t('common.saved'));
        },
    });
    const archive = useMutation({
        mutationFn: () => commerce.catalog.adminArchiveProduct({ id }),
        onSuccess: () => {
            void queryClient.invalidateQueries({ queryKey: ['products'] });
            notify(t('products.archived'));
            navigate('/products', { replace: true });
        },
    });

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error || !p) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const v = p.currentVersion;
    const writable = can('catalog.write') && !p.archived;
    const server = fieldErrors(save.error, tx);
    const errors = { ...(touched && checked ? checked.errors : {}), ...server };
    const submit = (e: FormEvent) => {
        e.preventDefault();
        setTouched(true);
        if (checked && Object.keys(checked.errors).length === 0) gate(() => save.mutate());
    };

    return (
        <Stack>
            <PageHeader
                title={p.name}
                description={p.description ?? undefined}
                actions={
                    writable ? (
                        <Button color="red" variant="outline" onClick={() => gate(() => setArchiving(true))} data-testid="product-archive">
                            {t('products.archive')}
                        </Button>
                    ) : null
                }
            />
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono">{p.id}</Text>
                            <CopyButton value={p.id} />
                        </Group>
                    </Field>
                    <Field label={t('products.price')}>
                        <MoneyText value={p.price} />
                    </Field>
                    <Field label={t('products.series')}>
                        <Anchor component={Link} to={`/packages/${p.packageSeriesId}`} size="sm">
                            {series.byId.get(p.packageSeriesId)?.name ?? p.packageSeriesId}
                        </Anchor>
                    </Field>
                    <Field label={t('products.onSale')}>
                        <Badge color={p.archived ? 'gray' : p.onSale ? 'green' : 'gray'} variant="light">
                            {p.archived ? t('status.archived') : p.onSale ? t('products.onSaleYes') : t('products.onSaleNo')}
                        </Badge>
                    </Field>
                    <Field label={t('products.terms')}>
                        {v ? (
                            <Text size="sm">
                                {t('products.termsValue', { version: v.version, gb: bytesToGb(v.entitlements.trafficBytes, locale), days: v.entitlements.durationDays })}
                            </Text>
                        ) : (
                            <Badge color="orange" variant="light">
                                {t('packages.notPublished')}
                            </Badge>
                        )}
                    </Field>
                    <Field label={t('products.groups')}>
                        <GroupBadges
                            ids={p.groupIds}
                            names={groups.byId}
                            empty={
                                <Badge color="orange" variant="light">
                                    {t('products.nobody')}
                                </Badge>
                            }
                        />
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={p.createdAt} />
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={p.updatedAt} />
                    </Field>
                </SimpleGrid>
            </Card>
            {writable && draft ? (
                <Card withBorder>
                    <Title order={2} size="h4" mb="sm">
                        {t('products.edit')}
                    </Title>
                    <form onSubmit={submit} noValidate>
                        <Stack maw={720}>
                            <Text size="sm">{t('products.editHint')}</Text>
                            <ProductFields draft={draft} onChange={setDraft} currency={currency} errors={errors} />
                            <ProblemAlert error={Object.keys(server).length ? null : save.error} />
                            <Group>
                                <Button type="submit" loading={save.isPending} data-testid="product-save">
                                    {t('common.save')}
                                </Button>
                            </Group>
                        </Stack>
                    </form>
                </Card>
            ) : null}
            <ConfirmModal
                opened={archiving}
                onClose={() => {
                    setArchiving(false);
                    archive.reset();
                }}
                title={t('products.archiveTitle')}
                message={t('products.archiveBody', { name: p.name })}
                confirmLabel={t('products.archive')}
                danger
                busy={archive.isPending}
                error={archive.error}
                onConfirm={() => archive.mutate()}
            />
        </Stack>
    );
}
