// One coupon: its terms and use count; switch it on or off, move its end, change its limits
// (not below the uses already made: 409 coupon_in_use); delete one never used (a used coupon
// stays, for the orders that carry it: deactivate it instead).

import { Alert, Anchor, Button, Card, Group, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, StatusBadge, When, YesNo } from '../components/bits';
import { Field, useDiscountLabel } from '../components/commerce';
import { ConfirmModal } from '../components/dialogs';
import { useNotify } from '../components/notify';
import { ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useProductLookup, useShopCurrency } from '../lib/commerceQueries';
import { couponStatus } from '../lib/domain';
import { formatMoney, fromLocalInput, parseWhole, toLocalInput } from '../lib/format';

export default function CouponDetailPage() {
    const { id = '' } = useParams();
    const { t, tx, locale } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const currency = useShopCurrency();
    const discount = useDiscountLabel();
    const products = useProductLookup();
    const detail = useQuery({ queryKey: ['coupons', 'detail', id], queryFn: () => commerce.catalog.adminGetCoupon({ id }) });
    const [active, setActive] = useState(true);
    const [endsAt, setEndsAt] = useState('');
    const [maxUses, setMaxUses] = useState('');
    const [perUser, setPerUser] = useState('');
    const [touched, setTouched] = useState(false);
    const [deleting, setDeleting] = useState(false);
    useEffect(() => {
        const c = detail.data;
        if (!c) return;
        setActive(c.active);
        setEndsAt(toLocalInput(c.endsAt));
        setMaxUses(c.maxUses ? String(c.maxUses) : '');
        setPerUser(String(c.maxUsesPerUser));
    }, [detail.data]);

    const ends = fromLocalInput(endsAt);
    const max = maxUses.trim() ? parseWhole(maxUses, 1, 2_000_000_000) : null;
    const per = parseWhole(perUser, 1, 2_000_000_000);
    const local: Record<string, string | undefined> = {
        ends_at: ends ? undefined : t('field.required'),
        max_uses: maxUses.trim() && max === null ? t('coupons.limitInvalid') : undefined,
        max_uses_per_user: per === null ? t('coupons.limitInvalid') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);

    const save = useMutation({
        mutationFn: () => {
            const c = detail.data;
            if (!c) throw new Error('not loaded');
            return commerce.catalog.adminUpdateCoupon({
                id,
                couponUpdateRequest: {
                    ...(active !== c.active ? { active } : {}),
                    ...(ends && ends.getTime() !== c.endsAt.getTime() ? { endsAt: ends } : {}),
                    ...(max !== (c.maxUses ?? null) ? { maxUses: max } : {}),
                    ...(per !== null && per !== c.maxUsesPerUser ? { maxUsesPerUser: per } : {}),
                },
            });
        },
        onSuccess: (c) => {
            queryClient.setQueryData(['coupons', 'detail', id], c);
            void queryClient.invalidateQueries({ queryKey: ['coupons', 'list'] });
            setTouched(false);
            notify(t('common.saved'));
        },
    });
    const remove = useMutation({
        mutationFn: () => commerce.catalog.adminDeleteCoupon({ id }),
        onSuccess: () => {
            void queryClient.invalidateQueries({ queryKey: ['coupons'] });
            notify(t('coupons.deleted'));
            navigate('/coupons', { replace: true });
        },
    });

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const c = detail.data;
    const writable = can('coupons.write');
    const server = fieldErrors(save.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const submit = (e: FormEvent) => {
        e.preventDefault();
        setTouched(true);
        if (!invalid) gate(() => save.mutate());
    };

    return (
        <Stack>
            <PageHeader
                title={c.code}
                description={discount(c, currency)}
                actions={
                    writable ? (
                        <Button color="red" variant="outline" disabled={c.everUsed} title={c.everUsed ? t('coupons.usedNoDelete') : undefined} onClick={() => gate(() => setDeleting(true))} data-testid="coupon-delete">
                            {t('common.delete')}
                        </Button>
                    ) : null
                }
            />
            {c.everUsed && writable ? (
                <Alert color="gray" p="xs">
                    {t('coupons.usedNoDelete')}
                </Alert>
            ) : null}
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono">{c.id}</Text>
                            <CopyButton value={c.id} />
                        </Group>
                    </Field>
                    <Field label={t('common.status')}>
                        <StatusBadge status={couponStatus(c)} />
                    </Field>
                    <Field label={t('coupons.discount')}>
                        <Text size="sm">{discount(c, currency)}</Text>
                    </Field>
                    <Field label={t('coupons.uses')}>
                        <Text size="sm" data-testid="coupon-uses">
                            {t('coupons.usesValue', { uses: c.uses, max: c.maxUses ?? '∞' })}
                        </Text>
                    </Field>
                    <Field label={t('coupons.startsAt')}>
                        <When value={c.startsAt} />
                    </Field>
                    <Field label={t('coupons.endsAt')}>
                        <When value={c.endsAt} />
                    </Field>
                    <Field label={t('coupons.perUser')}>
                        <Text size="sm">{c.maxUsesPerUser}</Text>
                    </Field>
                    <Field label={t('coupons.minAmount')}>
                        <Text size="sm">{c.minAmount ? formatMoney(c.minAmount, currency, locale) : '—'}</Text>
                    </Field>
                    <Field label={t('coupons.products')}>
                        {c.productIds.length === 0 ? (
                            <Text size="sm">{t('coupons.everyProduct')}</Text>
                        ) : (
                            <Stack gap={2}>
                                {c.productIds.map((pid) => (
                                    <Anchor key={pid} component={Link} to={`/products/${pid}`} size="sm">
                                        {products.byId.get(pid)?.name ?? pid.slice(0, 8)}
                                    </Anchor>
                                ))}
                            </Stack>
                        )}
                    </Field>
                    <Field label={t('coupons.everUsed')}>
                        <YesNo value={c.everUsed} />
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={c.createdAt} />
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={c.updatedAt} />
                    </Field>
                </SimpleGrid>
            </Card>
            {writable ? (
                <Card withBorder>
                    <Title order={2} size="h4" mb="sm">
                        {t('coupons.edit')}
                    </Title>
                    <form onSubmit={submit} noValidate>
                        <Stack maw={480}>
                            <Switch label={t('coupons.active')} description={t('coupons.activeHint')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} data-testid="coupon-active" />
                            <TextInput type="datetime-local" label={t('coupons.endsAt')} description={t('coupons.zoneHint')} required value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} error={err('ends_at')} />
                            <TextInput label={t('coupons.maxUses')} description={t('coupons.maxUsesHint')} inputMode="numeric" value={maxUses} onChange={(e) => setMaxUses(e.currentTarget.value)} error={err('max_uses')} />
                            <TextInput label={t('coupons.perUser')} required inputMode="numeric" value={perUser} onChange={(e) => setPerUser(e.currentTarget.value)} error={err('max_uses_per_user')} />
                            <ProblemAlert error={Object.keys(server).length ? null : save.error} />
                            <Group>
                                <Button type="submit" loading={save.isPending} data-testid="coupon-save">
                                    {t('common.save')}
                                </Button>
                            </Group>
                        </Stack>
                    </form>
                </Card>
            ) : null}
            <ConfirmModal
                opened={deleting}
                onClose={() => {
                    setDeleting(false);
                    remove.reset();
                }}
                title={t('coupons.deleteTitle')}
                message={t('coupons.deleteBody', { code: c.code })}
                confirmLabel={t('common.delete')}
                danger
                busy={remove.isPending}
                error={remove.error}
                onConfirm={() => remove.mutate()}
            />
        </Stack>
    );
}
