// One gift card (code masked): value, redemptions and who redeemed it; disable / re-enable and
// change or remove its expiry (gift_cards.write; a fully redeemed card cannot change: 409).

import { Anchor, Button, Card, Group, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { commerce } from '../api/commerce';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { CopyButton, PageHeader, StatusBadge, When } from '../components/bits';
import { Field, MoneyText } from '../components/commerce';
import { useNotify } from '../components/notify';
import { EmptyState, ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { giftCardStatus } from '../lib/domain';
import { fromLocalInput, toLocalInput } from '../lib/format';

export default function GiftCardDetailPage() {
    const { id = '' } = useParams();
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const queryClient = useQueryClient();
    const detail = useQuery({ queryKey: ['gift-cards', 'detail', id], queryFn: () => commerce.wallet.adminGetGiftCard({ id }) });
    const [disabled, setDisabled] = useState(false);
    const [expires, setExpires] = useState('');
    useEffect(() => {
        if (detail.data) {
            setDisabled(detail.data.disabled);
            setExpires(toLocalInput(detail.data.expiresAt ?? null));
        }
    }, [detail.data]);
    const save = useMutation({
        mutationFn: () => {
            const c = detail.data;
            if (!c) throw new Error('not loaded');
            const at = expires ? fromLocalInput(expires) : null;
            const sameExpiry = expires === toLocalInput(c.expiresAt ?? null);
            return commerce.wallet.adminUpdateGiftCard({
                id,
                giftCardUpdateRequest: {
                    ...(disabled !== c.disabled ? { disabled } : {}),
                    ...(sameExpiry ? {} : { expiresAt: at }),
                },
            });
        },
        onSuccess: () => {
            void queryClient.invalidateQueries({ queryKey: ['gift-cards'] });
            notify(t('common.saved'));
        },
    });

    if (detail.isPending) return <TableSkeleton rows={8} />;
    if (detail.error) return <ProblemState error={detail.error} onRetry={() => void detail.refetch()} />;
    const c = detail.data;
    const server = fieldErrors(save.error, tx);
    const submit = (e: FormEvent) => {
        e.preventDefault();
        gate(() => save.mutate());
    };

    return (
        <Stack>
            <PageHeader title={t('giftCard.title', { hint: c.codeHint })} description={tx(`giftCardKind.${c.kind}`, c.kind)} />
            <Card withBorder>
                <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <Field label={t('common.id')}>
                        <Group gap={4} wrap="nowrap">
                            <Text className="mono">{c.id}</Text>
                            <CopyButton value={c.id} />
                        </Group>
                    </Field>
                    <Field label={t('common.status')}>
                        <StatusBadge status={giftCardStatus(c)} />
                    </Field>
                    <Field label={t('giftCards.value')}>
                        <MoneyText value={c.value} />
                    </Field>
                    <Field label={t('giftCards.redemptions')}>
                        <Text size="sm" data-testid="card-redemptions">
                            {t('giftCards.redemptionsValue', { n: c.redemptions, max: c.maxRedemptions })}
                        </Text>
                    </Field>
                    <Field label={t('giftCards.expires')}>{c.expiresAt ? <When value={c.expiresAt} /> : <Text size="sm">{t('giftCards.never')}</Text>}</Field>
                    <Field label={t('giftCards.batch')}>
                        {c.batchId ? (
                            <Anchor component={Link} to={`/gift-cards?tab=cards&batch=${c.batchId}`} size="sm" className="mono">
                                {c.batchId.slice(0, 8)}
                            </Anchor>
                        ) : (
                            <Text size="sm">—</Text>
                        )}
                    </Field>
                    <Field label={t('common.created')}>
                        <When value={c.createdAt} />
                    </Field>
                    <Field label={t('common.updated')}>
                        <When value={c.updatedAt} />
                    </Field>
                </SimpleGrid>
            </Card>
            {can('gift_cards.write') ? (
                <Card withBorder>
                    <Title order={2} size="h4" mb="sm">
                        {t('giftCard.edit')}
                    </Title>
                    <form onSubmit={submit}>
                        <Stack maw={480}>
                            <Switch label={t('giftCard.disabled')} description={t('giftCard.disabledHint')} checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} data-testid="card-disabled" />
                            <TextInput type="datetime-local" label={t('giftCards.expires')} description={t('giftCard.expiresHint')} value={expires} onChange={(e) => setExpires(e.currentTarget.value)} error={server.expires_at} />
                            <ProblemAlert error={Object.keys(server).length ? null : save.error} />
                            <Group>
                                <Button type="submit" loading={save.isPending} data-testid="card-save">
                                    {t('common.save')}
                                </Button>
                            </Group>
                        </Stack>
                    </form>
                </Card>
            ) : null}
            <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                    {t('giftCard.redeemedBy')}
                </Title>
                {c.redemptionList.length === 0 ? (
                    <EmptyState>{t('giftCard.noRedemptions')}</EmptyState>
                ) : (
                    <Table verticalSpacing="xs" data-testid="redemptions-table">
                        <Table.Thead>
                            <Table.Tr>
                                <Table.Th>{t('orders.customer')}</Table.Th>
                                <Table.Th>{t('giftCard.redeemedAt')}</Table.Th>
                            </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                            {c.redemptionList.map((r) => (
                                <Table.Tr key={`${r.userId}-${r.createdAt.toISOString()}`}>
                                    <Table.Td>
                                        {can('customers.read') ? (
                                            <Anchor component={Link} to={`/customers/${r.userId}`} size="sm" className="mono">
                                                {r.userId}
                                            </Anchor>
                                        ) : (
                                            <Text className="mono">{r.userId}</Text>
                                        )}
                                    </Table.Td>
                                    <Table.Td>
                                        <When value={r.createdAt} />
                                    </Table.Td>
                                </Table.Tr>
                            ))}
                        </Table.Tbody>
                    </Table>
                )}
            </Card>
        </Stack>
    );
}
