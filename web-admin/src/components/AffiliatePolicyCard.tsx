// A customer's affiliate policy on their page (affiliate.read): the effective values and which
// of them are the customer's own overrides (the rest come from the `affiliate` configuration),
// and who referred them. affiliate.write edits it (an empty field = the config default);
// CustomerSupport reads it only.

import type { AffiliatePolicy } from '@helium/sdk';
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { fieldErrors } from '../api/errors';
import { service } from '../api/service';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { parseWhole, shortId } from '../lib/format';
import { affiliatePercentToRate, rateToPercentText } from '../lib/service';
import { useNotify } from './notify';
import { ProblemAlert, ProblemState, TableSkeleton } from './states';

function Value({ label, value, overridden }: { label: string; value: ReactNode; overridden: boolean }) {
    const { t } = useI18n();
    return (
        <Stack gap={2}>
            <Text size="xs" c="dimmed">
                {label}
            </Text>
            <Group gap="xs">
                <Text size="sm" fw={600}>
                    {value}
                </Text>
                <Badge size="xs" variant="light" color={overridden ? 'grape' : 'gray'}>
                    {overridden ? t('affiliate.override') : t('affiliate.default')}
                </Badge>
            </Group>
        </Stack>
    );
}

function PolicyForm({ policy, onDone }: { policy: AffiliatePolicy; onDone: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const o = policy.overrides;
    const [enabled, setEnabled] = useState(o.enabled);
    const [rate, setRate] = useState(rateToPercentText(o.rewardRate));
    const [trigger, setTrigger] = useState(o.triggerLimit != null ? String(o.triggerLimit) : '');
    const [codes, setCodes] = useState(o.maxInviteCodes != null ? String(o.maxInviteCodes) : '');
    const [touched, setTouched] = useState(false);
    const rateValue = rate.trim() ? affiliatePercentToRate(rate) : null;
    const triggerValue = trigger.trim() ? parseWhole(trigger, 0, 1000) : null;
    const codesValue = codes.trim() ? parseWhole(codes, 0, 1000) : null;
    const local: Record<string, string | undefined> = {
        reward_rate: rate.trim() && rateValue === null ? t('affiliate.rateInvalid') : undefined,
        trigger_limit: trigger.trim() && triggerValue === null ? t('affiliate.countInvalid') : undefined,
        max_invite_codes: codes.trim() && codesValue === null ? t('affiliate.countInvalid') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);
    const save = useMutation({
        mutationFn: () =>
            service.market.adminPutAffiliatePolicy({
                userId: policy.userId,
                putAffiliatePolicyRequest: { enabled, rewardRate: rateValue, triggerLimit: triggerValue, maxInviteCodes: codesValue },
            }),
        onSuccess: (p) => {
            queryClient.setQueryData(['affiliate', p.userId], p);
            notify(t('affiliate.saved'));
            onDone();
        },
    });
    const server = fieldErrors(save.error, tx);
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    return (
        <form
            noValidate
            onSubmit={(e: FormEvent) => {
                e.preventDefault();
                setTouched(true);
                if (!invalid) save.mutate();
            }}
        >
            <Stack>
                <Switch label={t('affiliate.enabled')} description={t('affiliate.enabledHint')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="aff-enabled" />
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                    <TextInput label={t('affiliate.rate')} description={t('affiliate.rateHint')} placeholder={t('affiliate.defaultPlaceholder')} inputMode="decimal" rightSection={<Text size="sm" aria-hidden>%</Text>} value={rate} onChange={(e) => setRate(e.currentTarget.value)} error={err('reward_rate')} data-testid="aff-rate" />
                    <TextInput label={t('affiliate.triggerLimit')} description={t('affiliate.countHint')} placeholder={t('affiliate.defaultPlaceholder')} inputMode="numeric" value={trigger} onChange={(e) => setTrigger(e.currentTarget.value)} error={err('trigger_limit')} data-testid="aff-trigger" />
                    <TextInput label={t('affiliate.maxCodes')} description={t('affiliate.countHint')} placeholder={t('affiliate.defaultPlaceholder')} inputMode="numeric" value={codes} onChange={(e) => setCodes(e.currentTarget.value)} error={err('max_invite_codes')} data-testid="aff-codes" />
                </SimpleGrid>
                <ProblemAlert error={Object.keys(server).length ? null : save.error} />
                <Group justify="flex-end">
                    <Button variant="default" onClick={onDone}>
                        {t('common.cancel')}
                    </Button>
                    <Button type="submit" loading={save.isPending} data-testid="aff-save">
                        {t('common.save')}
                    </Button>
                </Group>
            </Stack>
        </form>
    );
}

export function AffiliatePolicyCard({ userId }: { userId: string }) {
    const { t } = useI18n();
    const { can } = useAuth();
    const gate = useWriteGate();
    const [editing, setEditing] = useState(false);
    useEffect(() => setEditing(false), [userId]);
    const q = useQuery({ queryKey: ['affiliate', userId], queryFn: () => service.market.adminGetAffiliatePolicy({ userId }) });
    const writer = can('affiliate.write');
    return (
        <Card withBorder data-testid="affiliate-card">
            <Group justify="space-between" mb="sm">
                <Title order={2} size="h4">
                    {t('affiliate.title')}
                </Title>
                <Group gap="xs">
                    {writer ? (
                        <Anchor component={Link} to={`/commissions?beneficiary=${userId}`} size="sm">
                            {t('affiliate.commissions')}
                        </Anchor>
                    ) : null}
                    {writer && q.data && !editing ? (
                        <Button size="xs" variant="light" onClick={() => gate(() => setEditing(true))} data-testid="aff-edit">
                            {t('affiliate.edit')}
                        </Button>
                    ) : null}
                    {!writer ? (
                        <Badge variant="outline" color="gray" data-testid="aff-readonly">
                            {t('affiliate.readOnly')}
                        </Badge>
                    ) : null}
                </Group>
            </Group>
            {q.isPending ? <TableSkeleton rows={2} /> : null}
            {q.error ? <ProblemState error={q.error} onRetry={() => void q.refetch()} /> : null}
            {q.data && editing ? <PolicyForm policy={q.data} onDone={() => setEditing(false)} /> : null}
            {q.data && !editing ? (
                <Stack>
                    <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} data-testid="aff-values">
                        <Value label={t('affiliate.enabled')} value={q.data.enabled ? t('common.yes') : t('common.no')} overridden={!q.data.overrides.enabled} />
                        <Value label={t('affiliate.rate')} value={`${rateToPercentText(q.data.rewardRate)} %`} overridden={q.data.overrides.rewardRate != null} />
                        <Value label={t('affiliate.triggerLimit')} value={q.data.triggerLimit} overridden={q.data.overrides.triggerLimit != null} />
                        <Value label={t('affiliate.maxCodes')} value={q.data.maxInviteCodes} overridden={q.data.overrides.maxInviteCodes != null} />
                    </SimpleGrid>
                    <Text size="sm">
                        {t('affiliate.referrer')}{' '}
                        {q.data.referrerId ? (
                            <Anchor component={Link} to={`/customers/${q.data.referrerId}`} className="mono">
                                {shortId(q.data.referrerId)}
                            </Anchor>
                        ) : (
                            t('affiliate.noReferrer')
                        )}
                    </Text>
                </Stack>
            ) : null}
        </Card>
    );
}
